"""boilerplate.clean_text on hand-written page copies in several phrasings."""
from __future__ import annotations

from launchwatch.boilerplate import clean_text, find_credit, is_caption, normalise

LEDE = ("Pyongyang launched a short-range ballistic missile toward the East Sea early on Tuesday, "
        "the Joint Chiefs of Staff said, its third launch this month.")
SECOND = ("The missile flew about 400 km at an apogee of 50 km before falling outside Japan's "
          "exclusive economic zone, Japan's defence ministry said.")
THIRD = ("Analysts said the test was likely aimed at joint drills by Seoul and Washington that "
         "began on Monday and are due to run for ten days.")


def page(*blocks: str) -> str:
    return "\n\n".join(blocks)


def test_boilerplate_keeps_story_paragraphs_separated_by_blank_lines():
    cleaned = clean_text(page(LEDE, SECOND, THIRD))
    assert cleaned.text == "\n\n".join([LEDE, SECOND, THIRD])


def test_boilerplate_head_drops_masthead_breadcrumb_byline_and_timestamp():
    cleaned = clean_text(page(
        "THE EASTERN COURIER | World > Asia",
        "Home > World > Asia > Korea",
        "N. Korea fires missile into East Sea, third launch this month",
        "By Han Ji-woo and Ellen Park",
        "Published 14 Mar 2023, 08:41 | Updated 14 Mar 2023, 11:02",
        "Share | Tweet | Email | 12 comments",
        LEDE, SECOND))
    assert cleaned.paragraphs == ["N. Korea fires missile into East Sea, third launch this month", LEDE, SECOND]
    assert cleaned.title == "N. Korea fires missile into East Sea, third launch this month"
    assert cleaned.publisher == "THE EASTERN COURIER"


def test_boilerplate_knb_style_bracket_breadcrumb_is_dropped():
    cleaned = clean_text(page("[ ABC 9 NEWS ]  HOME > POLITICS > DEFENSE", "Headline about a test", LEDE))
    assert "HOME" not in cleaned.text
    assert cleaned.publisher == "ABC 9 NEWS"


def test_boilerplate_teaser_heading_cuts_teaser_tail_to_the_end():
    cleaned = clean_text(page(
        LEDE, SECOND, THIRD,
        "Recommended for you",
        "Markets slide as oil prices jump",
        "Shares in Asia fell on Tuesday as investors weighed…",
        "Film festival opens with record crowds",
        "Organisers said more than 40,000 tickets were sold for…"))
    assert cleaned.paragraphs == [LEDE, SECOND, THIRD]


def test_boilerplate_teaser_list_in_the_middle_is_removed_but_story_resumes():
    cleaned = clean_text(page(
        LEDE,
        "READ MORE",
        "- Explainer: what is a hypersonic missile",
        "- Timeline: launches so far this year",
        SECOND, THIRD))
    assert cleaned.paragraphs == [LEDE, SECOND, THIRD]


def test_boilerplate_inline_read_more_line_is_dropped():
    cleaned = clean_text(page(LEDE, "Read more: Seoul and Tokyo agree to share missile warning data", SECOND))
    assert cleaned.paragraphs == [LEDE, SECOND]


def test_boilerplate_comment_section_is_cut_after_the_story():
    cleaned = clean_text(page(
        LEDE, SECOND, THIRD,
        "23 Comments",
        "kimfan88: They will keep testing until someone stops them, and nobody will.",
        "Post a comment",
        "Your e-mail address will not be published. Required fields are marked *"))
    assert cleaned.paragraphs == [LEDE, SECOND, THIRD]


def test_boilerplate_wordpress_reply_form_and_newsletter_are_removed():
    cleaned = clean_text(page(
        LEDE, SECOND,
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "Subscribe to our newsletter",
        "Get the latest defence news in your inbox every morning."))
    assert cleaned.paragraphs == [LEDE, SECOND]


def test_boilerplate_furniture_lines_are_removed_anywhere():
    cleaned = clean_text(page(
        LEDE,
        "ADVERTISEMENT",
        "We use cookies to personalise content and ads. Accept all",
        SECOND,
        "Share on: Facebook Twitter WhatsApp",
        "Tags: North Korea, missiles, Japan",
        "© 2023 Eastern Courier Media. All rights reserved.",
        "---",
        THIRD))
    assert cleaned.paragraphs == [LEDE, SECOND, THIRD]
    assert cleaned.publisher == "Eastern Courier"


def test_boilerplate_short_subheads_inside_the_story_are_kept():
    cleaned = clean_text(page(LEDE, "Pattern of provocations", SECOND, THIRD))
    assert "Pattern of provocations" in cleaned.paragraphs


def test_boilerplate_never_drops_a_launch_sentence_after_a_teaser_heading():
    launch = "On Saturday, the North fired two more missiles from Sunan, which flew 350 km, the JCS said."
    cleaned = clean_text(page(LEDE, "Related coverage", "- Why Kim keeps testing", launch, THIRD))
    assert launch in cleaned.paragraphs


def test_boilerplate_captions_move_out_of_the_text():
    captions = [
        "This photo provided by the North Korean government shows the launch on Tuesday. (Korean Central News Agency/Korea News Service via AP)",
        "Photo: People watch a news report at Seoul Station. (Yonhap)",
        "Image caption: A TV screen shows file footage of a missile launch",
        "[Photo] A missile lifts off from a mobile launcher in this image released by state media.",
    ]
    cleaned = clean_text(page(LEDE, captions[0], SECOND, captions[1], captions[2], captions[3], THIRD))
    assert cleaned.paragraphs == [LEDE, SECOND, THIRD]
    assert cleaned.captions == captions


def test_boilerplate_sentence_mentioning_a_photo_is_not_a_caption():
    sentence = "State media released a photo showing Kim watching the launch from an observation post."
    assert not is_caption(sentence)


def test_boilerplate_source_line_sets_original_publisher_and_is_removed():
    for line, name in [("Source: Reuters", "Reuters"), ("Scource From CBC News", "CBC News"),
                       ("Source: Straits Wire Service / edited for length", "Straits Wire Service"),
                       ("This article originally appeared on The Diplomat.", "The Diplomat"),
                       ("Courtesy of Yonhap News Agency", "Yonhap")]:
        cleaned = clean_text(page(LEDE, SECOND, line))
        assert cleaned.original_publisher == name, line
        assert cleaned.paragraphs == [LEDE, SECOND], line


def test_boilerplate_lede_agency_tags_are_credits():
    cases = [("SEOUL (Reuters) - " + LEDE, "Reuters"), ("TOKYO (AP) — " + LEDE, "AP"),
             ("PYONGYANG, March 3 (KCNA) -- " + LEDE, "KCNA"), ("SEOUL, March 24 (APW) - " + LEDE, "APW")]
    for lede, name in cases:
        cleaned = clean_text(page(lede, SECOND))
        assert cleaned.original_publisher == name
        assert cleaned.paragraphs[0] == lede       # the dateline stays in the sentence


def test_boilerplate_trailing_agency_line_is_a_credit():
    for line, name in [("— AFP", "AFP"), ("Yonhap", "Yonhap"), ("(AFP)", "AFP"), ("-- Reuters", "Reuters")]:
        cleaned = clean_text(page(LEDE, SECOND, line))
        assert cleaned.original_publisher == name, line
        assert cleaned.paragraphs == [LEDE, SECOND], line


def test_boilerplate_sources_said_is_not_a_credit():
    assert find_credit(["Sources familiar with the matter said the launch failed."]) is None


def test_boilerplate_generic_agency_credit_gives_no_name():
    cleaned = clean_text(page(LEDE, SECOND, "Source: agencies"))
    assert cleaned.original_publisher is None
    assert cleaned.paragraphs == [LEDE, SECOND]


def test_boilerplate_hard_wrapped_text_is_rejoined():
    wrapped = "\n".join([
        "North Korea fired a ballistic missile off its east coast on Sunday,",
        "South Korea's military said, the latest in a series of launches that",
        "have raised tensions in the region ahead of talks between the allies.",
        "",
        "The missile flew about 600 km and reached an altitude of 50 km before",
        "it came down in waters outside Japan's exclusive economic zone, the",
        "Japanese defence ministry said in a brief statement on Sunday morning.",
    ])
    paragraphs = normalise(wrapped)
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("North Korea fired") and paragraphs[0].endswith("allies.")


def test_boilerplate_normalises_spaces_and_typographic_quotes():
    (line,) = normalise("Japan\u2019s  defence\tministry said \u201cno damage\u201d\u00a0was reported.")
    assert line == 'Japan\'s defence ministry said "no damage" was reported.'


def test_boilerplate_section_label_is_not_a_masthead():
    cleaned = clean_text(page("WORLD NEWS | MIDDLE EAST", "Iran tests a missile", LEDE))
    assert cleaned.publisher is None
    assert cleaned.paragraphs == ["Iran tests a missile", LEDE]
