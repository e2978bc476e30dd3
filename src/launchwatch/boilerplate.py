"""Plain-text boilerplate removal: what a copied web page carries besides the story.

`clean_text` turns page text into article paragraphs, in these steps:
  1. normalise    whitespace inside lines; hard-wrapped lines re-joined
  2. head         masthead, breadcrumbs, bylines, timestamps, share bars and
                  taglines above the first body paragraph are dropped; the
                  masthead name becomes the publisher, the headline the title
  3. tail         a teaser heading ("You May Also Like", "MOST READ") cuts
                  to the end when only teasers follow it; a comment heading
                  ("Leave a Reply", "147 comments") cuts to the end once most
                  of the story is above it
  4. lines        share bars, newsletter and cookie text, copyright lines,
                  ads, tags and comment-form text are dropped anywhere
  5. captions     photo captions and credits move to `captions`
  6. credits      syndication credits ("Source: Reuters", "(AP) —") set
                  `original_publisher`; credit lines are removed

Rules are named data (compiled patterns below), written for the kinds of
page furniture news sites share, not for single documents. Two guards keep
the story safe: line rules never apply to long prose lines, and a tail is
cut only when no prose sentence follows its heading.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from launchwatch.folding import Alternatives, Folded

# --------------------------------------------------------------------------
# Thresholds
# --------------------------------------------------------------------------

# A body paragraph: ends like a sentence and has at least this many words.
# Teaser blurbs end with "…", headlines end without a period.
PROSE_MIN_WORDS = 8
# The first paragraph of at least this many words starts the body; above it
# is the page head (masthead, headline, dek, byline, timestamp).
BODY_MIN_WORDS = 15
# The head is searched at most this far, whatever follows.
HEAD_MAX_PARAGRAPHS = 12
# Line rules (share bars, newsletter text...) never touch lines longer than
# this: furniture is short, and a long line is a paragraph of the story.
JUNK_MAX_WORDS = 40
# Headlines and teaser headlines are at most this long.
HEADLINE_MAX_WORDS = 30
# Hard-wrapped text (wire feeds, e-mail): most lines between WRAP_MIN_CHARS
# and WRAP_MAX_CHARS, at most WRAP_LONG_SHARE of them longer, at least
# WRAP_MIN_LINES of them. Web copies have one long line per paragraph.
WRAP_MIN_CHARS = 50
WRAP_MAX_CHARS = 100
WRAP_LONG_SHARE = 0.1
WRAP_MIN_LINES = 5
# A comment heading cuts to the end only below this share of the prose:
# comment threads follow the story, a "Comments" subhead inside it does not.
COMMENT_CUT_MIN_SHARE = 0.6
# A masthead is a short ALL-CAPS name in the first lines of the page.
MASTHEAD_MAX_WORDS = 6
MASTHEAD_LINES = 3

# A sentence ends in . ! ? or : possibly followed by closing quotes/brackets.
SENTENCE_END = re.compile(r"[.!?:][\"'”’)\]]*$")
ELLIPSIS = ("…", "...")

# --------------------------------------------------------------------------
# Patterns (all matched case-insensitively against one normalised line)
# --------------------------------------------------------------------------

def _rx(*patterns: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


def _folded(*patterns: str) -> Folded:
    """Like _rx, for patterns only asked whether they match: matched on folded text, much faster."""
    return Folded("|".join(f"(?:{p})" for p in patterns))


class _Lines:
    """Patterns for whole lines: those anchored at the start are tried at position 0 only,
    the rest scanned; one alternation of both tries every anchored one at every position."""

    def __init__(self, *patterns: str):
        anchored = [p for p in patterns if p.startswith("^")]
        floating = [p for p in patterns if not p.startswith("^")]
        self._anchored = _rx(*anchored) if anchored else None
        # case-insensitive literals are 2-3x faster matched on folded text than under re.I; most
        # lines hold none of the words a floating pattern needs, and only the others are tried
        self._floating = Alternatives({f"p{i}": p for i, p in enumerate(floating)}, folded=True) if floating else None

    def search(self, text: str) -> bool:
        return bool((self._anchored and self._anchored.match(text)) or (self._floating and self._floating.search(text)))


# Headings after which come teaser lists: related, most read, recommended.
TEASER_HEADING = _folded(
    r"^\[?(related|more|recommended|trending|popular|latest|top|editor'?s|don'?t miss|in case you missed)"
    r"\b[^.!?]{0,40}$",
    r"^(you (may|might|will) (also )?(like|enjoy|be interested in)|also read|read (more|next|also)"
    r"|see also|what to read next|more (stories|news|from|on|in)\b.*|also (in|on|today)\b.*"
    r"|most (read|viewed|popular|shared|watched|commented)|recent posts|related (posts|articles|stories|coverage|video))"
    r"\s*[:>»\]]*$",
)
# Headings that open a comment section.
COMMENT_HEADING = _folded(
    r"^(leave|post|add|write) a (reply|comment|response)\b.*$",
    r"^\(?\d+\)?\s+(comments?|responses|replies)\b.*$",
    r"^(reader )?(comments?|responses|discussion)(\s*\(\d+\))?\s*:?$",
    r"^(join|start) the (conversation|discussion)\b.*$",
    r"^(show|view|load|read) (all )?(\d+ )?comments\b.*$",
    r"^have your say\b.*$",
)
# Inline teaser lines: "Read more: <headline>", "Related: a | b | c".
TEASER_LINE = _rx(
    r"^(read (more|next|also)|also read|related( (stories|articles|posts|coverage|content|video))?|see also"
    r"|recent posts|most (read|viewed|popular)|trending|recommended( reading)?|you (may|might) (also )?like"
    r"|more (on|from|in) [^:>»]{1,40}|also (in|on|today)[^:>»]{0,40}|recommended|watch|listen|read)\s*[:>»|]",
    r"^(←|«|<)?\s*previous( post| article| story)?\s*:",
    r"\bnext( post| article| story)?\s*:.*(→|»|>)\s*$",
)
SOCIAL_WORDS = _folded(
    r"\b(share|tweet|facebook|twitter|whatsapp|telegram|linkedin|e-?mail|print|kakaotalk|pinterest|reddit"
    r"|copy link|line|x|flipboard|google news|messenger|wechat|weibo)\b",
)
SOCIAL_MIN_WORDS = 2        # a share bar names at least two channels...
SOCIAL_MAX_WORDS = 16       # ...and little else
# Page furniture that can appear anywhere; each pattern names its kind.
JUNK_LINE = _Lines(
    # separators and bracketed labels
    r"^[-_*=~•·.#\s]{2,}$",
    r"^\[\s*(anchor|report|reporter|video|audio|photos?|gallery|graphic|interactive|ad|advertisement)[^\]]*\]",
    # advertisements
    r"^(advertisement|advertising|sponsored( content)?|ad|paid content|promoted|story continues below.*"
    r"|continue reading( below| the main story)?.*|scroll (down )?to continue.*|article continues (below|after).*)$",
    # copyright and footers
    r"^(\(c\)|©|copyright\b)", r"\ball rights reserved\b", r"\b(reproduction|redistribution)\b.*\bprohibited\b",
    r"\bmay not be (re)?(published|produced|distributed|broadcast|rewritten)\b",
    r"^(about( us)?|contact( us)?|advertise( with us)?|privacy( policy)?|terms( of (use|service))?|careers?)"
    r"\s*([|·•/]|$)",
    r"^(tip ?line|send (us )?(your )?tips|to stop receiving|forward this (e-?mail|newsletter))\b",
    r"\bour mailing address is\b", r"\bclick here to unsubscribe\b",
    # newsletters and subscriptions
    r"\bnewsletters?\b", r"\bin your inbox\b", r"\benter (your )?e-?mail\b", r"^get notified\b",
    r"^sign ?up\b", r"\bsign up (free|now|today|here)\b", r"^(subscribe|unsubscribe)\b", r"\bsubscribe (now|today|free|here)\b",
    r"\bsubscribe to (our|the)\b", r"\balready a subscriber\b", r"\bfor unlimited access\b",
    r"^(donate|support (our|us|this))\b",
    # "X is an independent, reader-funded blog." and similar self-descriptions
    r"\b(is|are) an? (independent|free|reader-funded|reader-supported|subscriber-supported|non-?profit|nonpartisan)"
    r"\b[^.]{0,40}\b(blog|newsletter|site|website|publication|digest|summary|service|outlet|newsroom)\b",
    # cookies and consent
    r"\b(we|this (site|website)|our partners)\b.{0,40}\buses? cookies\b", r"\bcookie (policy|settings|preferences|notice)\b",
    r"^(accept|reject|allow)( all)?( cookies)?$", r"\bby (continuing to browse|clicking \"?accept)",
    # comment forms and comment-section notes
    r"your e-?mail address will not be published", r"required fields are marked",
    r"^(name|e-?mail|website|comment)\s*\*?\s*(:|/|$)", r"\[\s*(post( comment)?|submit|send)\s*\]",
    r"^(post comment|submit( comment)?|send)$", r"\bcomments? (are|is) (now )?(closed|moderated|reviewed|subject)\b",
    r"\bbe the first to comment\b", r"\b(sign in|log in|register)\b.{0,30}\bto comment\b",
    r"\byou must be logged in\b", r"\bcommunity (guidelines|rules|standards)\b",
    # tags, filing, keywords
    r"^(tags?|topics?|keywords?|filed under|categories|category|related topics|more about)\s*:",
    # reading time, video promos
    r"^~?\d+\s+min(ute)?s?\s+read$", r"^(watch|listen)\b.{0,40}\(\d+:\d{2}\)$",
    # bare contact lines
    r"^\(*\s*[\w.+-]+@[\w-]+(\.[\w-]+)+[;,]?[^a-z]*\)*$",
)
# Wire and agency sign-offs: who reported and edited, not part of the story.
SIGNOFF_LINE = _Lines(
    r"^[-—–(\s]*(additional )?(reporting|writing|editing|edited|compiled|produced|translated) by\b",
    r"^\(?\s*with (inputs|input|reporting) from\b.*\)?$",
    r"^(published|printed|appeared) in (the )?[A-Z].{0,60}\d{4}\.?$",
)
# Wire update notes under a headline: "(Adds Japanese flight data, background)".
UPDATE_NOTE = _rx(r"^\((adds|updates|recasts|corrects|changes|rewrites|refiles|re-?leads|writes through)\b.*\)$")
# Bylines and bureau credits in the head.
BYLINE = _rx(
    r"^(by|posted by|reported by|written by|words by|story by|from)\s+[A-Z]",
    r"^(staff (report|reporter|writer)|filed by|express news service|agencies|news desk|web desk)\b",
)
READ_TIME = re.compile(r"\b\d+\s+min(ute)?s?\s+read\b", re.I)
TIME_OF_DAY = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(a\.?m\.?|p\.?m\.?)?|\b\d{1,2}\s*(a\.?m\.?|p\.?m\.?)", re.I)
MONTH_WORD = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b"
                        r"|\b\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
                        r"|\b\d{4}[-./]\d{1,2}[-./]\d{1,2}\b|\b\d{1,2}[-./]\d{1,2}[-./]\d{4}\b", re.I)
# Separators between breadcrumb or navigation items.
NAV_SEPARATOR = re.compile(r"\s*(?:\||>|›|»|·|•|/|—|–)\s*")
NAV_ITEM_MAX_WORDS = 4

# Captions: a labelled line, or a line about "this photo" ending in a credit.
CAPTION_LABEL = _folded(
    r"^\[?\s*(photo|image|picture|pictured|caption|photo caption|picture caption|image caption|file photo"
    r"|graphic|illustration|photograph|video caption)\s*(\d+\s*)?[:\]]",
    r"^\[\s*(photo|image|picture)\b",
    r"^\(?\s*(photo|image|picture)\s*(credit)?\s*:",
    r"^file\s*(photo)?\s*[-–—]\s",
)
CAPTION_PHRASE = _folded(
    r"\b(this|in this|in a|an undated|this undated|this handout|in this handout)\s+(undated\s+)?(handout\s+)?"
    r"(file\s+)?(photo|image|picture|photograph|still image|video grab|screen grab)\b",
    r"\b(photo|image|picture)s? (provided|released|distributed|supplied|taken|obtained) by\b",
    r"\bthe content of this image\b",
)
CAPTION_CREDIT_END = re.compile(r"(\([^()]{2,120}\)|\[[^\[\]]{2,120}\])\s*$")

# Syndication credits.
# "Source: Reuters", "Scource From CBC News", "Courtesy of Yonhap". The name
# must start with a capital, so "Sources said ..." is never a credit.
SOURCE_LINE = re.compile(
    r"^(?i:source|sources|scource|sourced|courtesy|credit|syndicated|distributed)\s*"
    r"(?:(?:(?i:from|of|by)\b\s*:?|[\-–—])\s*(?P<name>[A-Z0-9].*)|\s*:\s*(?P<any>\w.*))$")
ORIGINALLY_LINE = re.compile(
    r"\b(?:originally|first)\s+(?:appeared|published|ran|posted)\s+(?:on|in|at|by)\s+(?P<name>[^.;|]+)"
    r"|^republished\s+(?:with permission\s+)?(?:from|courtesy of)\s+(?P<name2>[^.;|]+)", re.I)
LEDE_AGENCY = re.compile(
    r"^(?:[A-Z][A-Za-z0-9 .,'’-]{0,80}?\s)?\((?P<name>[A-Z][A-Za-z0-9 .&/-]{0,30})\)\s*(?:-{1,2}|—|–|:)\s")
TRAILING_AGENCY = re.compile(r"^[-—–(\s]*(?:with\s+)?(?P<name>[A-Za-z .&/-]{2,40}?)\)?\s*\.?$")
# How the credit is cut from "Straits Wire Service / edited for length".
CREDIT_CUT = re.compile(r"\s+(?:/|\||—|–|-|;|with agencies|with inputs|and agencies)\s*.*$|[.;,]\s.*$|\(.*?\)", re.I)
GENERIC_CREDITS = frozenset({"agencies", "agency", "staff", "wires", "wire services", "news agencies",
                             "wire reports", "news wires", "agency reports", "various sources",
                             "news desk", "internet", "social media", "unknown", "web desk"})
# Agencies and networks recognised in a bare trailing credit line ("— AFP"),
# with the name they are normalised to.
KNOWN_AGENCIES = {
    "reuters": "Reuters", "ap": "AP", "the associated press": "AP", "associated press": "AP",
    "afp": "AFP", "agence france-presse": "AFP", "agence france presse": "AFP",
    "yonhap": "Yonhap", "yonhap news agency": "Yonhap", "kcna": "KCNA", "kyodo": "Kyodo",
    "kyodo news": "Kyodo", "xinhua": "Xinhua", "tass": "TASS", "ria novosti": "RIA Novosti",
    "interfax": "Interfax", "irna": "IRNA", "tasnim": "Tasnim", "fars": "Fars", "anadolu": "Anadolu",
    "ani": "ANI", "pti": "PTI", "ians": "IANS", "dpa": "dpa", "efe": "EFE", "upi": "UPI",
    "bloomberg": "Bloomberg", "cnn": "CNN", "bbc": "BBC", "nhk": "NHK", "bernama": "Bernama",
    "afp/reuters": "AFP", "reuters/afp": "Reuters", "ap/reuters": "AP",
}
# Non-agency words that a "(X) -" lede could still carry.
NOT_AGENCIES = frozenset({"update", "updated", "corrected", "file", "photo", "video", "local time"})

# Masthead and tagline: "THE HANBIT HERALD | National > Defense".
MASTHEAD_SPLIT = re.compile(r"\s+(?:\||>|›|»|—|–|-)\s+|\s{2,}")
BRACKETED = re.compile(r"^\[\s*(?P<inner>[^\]]+?)\s*\]")
TAGLINE_MAX_WORDS = 10
# Section names that look like an ALL-CAPS masthead but name no site.
SECTION_WORDS = frozenset("""
    world news latest breaking top home politics national international local asia asia-pacific pacific
    europe africa americas middle east us uk business markets economy finance tech technology science
    sport sports lifestyle culture opinion analysis commentary defence defense military security
    region regional north south korea japan china video photos live briefly brief update updates
    """.split())
COPYRIGHT_NAME = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:\(c\)|©)?\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?(?P<name>[A-Z][\w&'’ .-]{1,50}?)"
    r"(?:\s+(?:ltd|inc|llc|co|corp|media|group)\b\.?)?(?:[.,|]|\s+all rights|\s*$)", re.I)
HEADLINE_UPDATE_PREFIX = re.compile(r"^(UPDATE|CORRECTED|REFILE|RPT|WRAPUP|EXCLUSIVE|ANALYSIS)(\s*\d+)?\s*[-:]\s*")


# --------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------

@dataclass
class Cleaned:
    """What `clean_text` keeps, and what it moved aside."""

    paragraphs: list[str]
    title: str | None = None
    publisher: str | None = None
    original_publisher: str | None = None
    captions: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def clean_text(text: str, *, has_head: bool = True) -> Cleaned:
    """Article paragraphs of a page's text, boilerplate gone (see module doc).

    `has_head` is False for text already cut to the article (HTML extracted
    by trafilatura): head rules then drop only bylines and timestamps.
    """
    paragraphs = normalise(text)
    result = Cleaned(paragraphs=[])
    paragraphs = _clean_head(paragraphs, result, has_head=has_head)
    paragraphs = _cut_tail(paragraphs, result)
    paragraphs = _drop_lines(paragraphs, result)
    result.original_publisher = find_credit(paragraphs, result.removed)
    credit_lines = [_is_credit_line(p) for p in paragraphs]
    result.paragraphs = [p for p, credit in zip(paragraphs, credit_lines) if not credit]
    result.removed.extend(p for p, credit in zip(paragraphs, credit_lines) if credit)
    result.publisher = result.publisher or _copyright_name(result.removed)
    if _same_name(result.original_publisher, result.publisher):
        result.original_publisher = None   # the site crediting itself is not syndication
    return result


def _same_name(first: str | None, second: str | None) -> bool:
    return bool(first and second) and first.casefold() == second.casefold()


# --------------------------------------------------------------------------
# 1. Normalise
# --------------------------------------------------------------------------

INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Typographic quotes become ASCII ones, so that "Japan’s" and "Japan's" are
# the same string for the extractor's patterns and for gold spans.
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'})
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def normalise(text: str) -> list[str]:
    """Paragraphs: one per line, hard-wrapped lines re-joined, spaces collapsed."""
    lines = _typographic(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    lines = [_collapse_spaces(line).strip() for line in lines]
    wrapped = _is_hard_wrapped(lines)
    paragraphs: list[str] = []
    previous = ""
    for line in lines:
        if line and previous and _continues(previous, line, wrapped=wrapped):
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        elif line:
            paragraphs.append(line)
        previous = line
    return paragraphs


def _typographic(text: str) -> str:
    """INVISIBLE and QUOTES applied: the same as two str.translate, by replacing only the characters
    present (a table lookup per character is slow, and most texts hold few of them)."""
    if text.isascii():
        return text
    for char, plain in _TYPOGRAPHIC:
        if char in text:
            text = text.replace(char, plain)
    return text


# (character, replacement) of INVISIBLE and QUOTES; no replacement is itself replaced.
_TYPOGRAPHIC = [(chr(code), "" if new is None else chr(new) if isinstance(new, int) else new)
                for table in (INVISIBLE, QUOTES) for code, new in table.items()]


def _collapse_spaces(line: str) -> str:
    """SPACES runs as one space; an ASCII line without a tab or two spaces in a row has none."""
    if line.isascii() and "\t" not in line and "  " not in line:
        return line
    return SPACES.sub(" ", line)


def _is_hard_wrapped(lines: list[str]) -> bool:
    """Text wrapped at a fixed width (e-mail, wire feeds) rather than one line per paragraph.

    Copied web pages put each paragraph on one long line; wrapped text has
    many medium lines and almost none longer than the wrap width.
    """
    medium = [line for line in lines if len(line) >= WRAP_MIN_CHARS]
    long = [line for line in medium if len(line) > WRAP_MAX_CHARS]
    return len(medium) >= WRAP_MIN_LINES and len(long) <= WRAP_LONG_SHARE * len(medium)


def _continues(previous: str, line: str, *, wrapped: bool) -> bool:
    """True when `line` is the rest of a sentence broken at the end of `previous`."""
    if _is_list_item(line) or ends_sentence(previous) or previous.endswith(ELLIPSIS):
        return False
    if line[0].islower():
        return True
    return wrapped and len(previous) >= WRAP_MIN_CHARS and (previous[-1].isalnum() or previous[-1] in ",;-–—")


# --------------------------------------------------------------------------
# Paragraph kinds
# --------------------------------------------------------------------------

@functools.lru_cache(maxsize=4096)  # asked several times per paragraph by the kind tests below
def words(paragraph: str) -> int:
    return len(paragraph.split())


def is_prose(paragraph: str) -> bool:
    """A sentence of the story: long enough, ends like a sentence, not a teaser blurb."""
    if paragraph.endswith(ELLIPSIS):
        return False
    if words(paragraph) > JUNK_MAX_WORDS:
        return True
    return words(paragraph) >= PROSE_MIN_WORDS and ends_sentence(paragraph)


def ends_sentence(paragraph: str) -> bool:
    return bool(SENTENCE_END.search(paragraph))


def _is_list_item(paragraph: str) -> bool:
    return bool(re.match(r"^([-*•>·▶►]|\d{1,2}[.)])\s", paragraph))


def _is_junk(paragraph: str) -> bool:
    if words(paragraph) > JUNK_MAX_WORDS:
        return False
    return bool(JUNK_LINE.search(paragraph) or SIGNOFF_LINE.search(paragraph)
                or _is_social_bar(paragraph) or _is_nav_line(paragraph))


def _is_social_bar(paragraph: str) -> bool:
    if words(paragraph) > SOCIAL_MAX_WORDS:
        return False
    return len(SOCIAL_WORDS.findall(paragraph)) >= SOCIAL_MIN_WORDS and not is_prose(paragraph)


def _is_nav_line(paragraph: str) -> bool:
    """Three or more short items joined by separators: menus, breadcrumbs, footers."""
    if is_prose(paragraph) or not re.search(r"[|>›»·•]", paragraph):
        return False
    if MONTH_WORD.search(paragraph) and re.search(r"\d", paragraph):
        return False  # "- Thu 25 Jun | RUSSIA | Bulava SLBM": a dated table row, not a menu
    items = [item for item in NAV_SEPARATOR.split(paragraph) if item]
    return len(items) >= 2 and all(words(item) <= NAV_ITEM_MAX_WORDS for item in items)


# --------------------------------------------------------------------------
# 2. Head
# --------------------------------------------------------------------------

def body_start(paragraphs: list[str]) -> int:
    """Index of the first body paragraph (the head ends there)."""
    for index, paragraph in enumerate(paragraphs[:HEAD_MAX_PARAGRAPHS]):
        if words(paragraph) >= BODY_MIN_WORDS and is_prose(paragraph):
            return index
    return min(len(paragraphs), HEAD_MAX_PARAGRAPHS)


def _clean_head(paragraphs: list[str], result: Cleaned, *, has_head: bool) -> list[str]:
    start = body_start(paragraphs)
    head, body = paragraphs[:start], paragraphs[start:]
    kept: list[str] = []
    after_masthead = False
    for index, line in enumerate(head):
        masthead = _masthead(line) if has_head and index < MASTHEAD_LINES else None
        if masthead:
            result.publisher = result.publisher or masthead
        is_tagline = after_masthead and words(line) <= TAGLINE_MAX_WORDS and not _is_nav_line(line)
        # A tagline sits on its own line under a masthead that is alone on its line.
        after_masthead = bool(masthead) and masthead == line.strip(" []")
        if masthead or is_tagline or _is_head_junk(line, has_head=has_head):
            result.removed.append(line)
        else:
            kept.append(line)
    result.title = _pick_title(kept)
    return kept + body


def _is_head_junk(line: str, *, has_head: bool) -> bool:
    """Bylines, timestamps, breadcrumbs, section labels and update notes."""
    if BYLINE.search(line) and words(line) <= HEADLINE_MAX_WORDS // 2:
        return True
    if (_is_timestamp(line) and not DATELINE_LINE.match(line)) or READ_TIME.search(line) or UPDATE_NOTE.search(line):
        return True
    if not has_head:
        return False
    return _is_nav_line(line) or _is_section_label(line)


# "Rawalpindi - November 18, 2026:" on its own line is the story's dateline, not page chrome.
DATELINE_LINE = re.compile(r"^[A-Z][A-Za-z .'’()/-]{1,40}\s+[-—–]\s+.*\d.*:\s*$")


def _is_timestamp(line: str) -> bool:
    """A short line that is mostly a date and/or time: "Updated 29 Nov 2017, 6:12 PM"."""
    if words(line) > 12 or is_prose(line):
        return False
    has_date = bool(MONTH_WORD.search(line)) or bool(re.search(r"\b(19|20)\d{2}\b", line) and TIME_OF_DAY.search(line))
    rest = TIME_OF_DAY.sub(" ", MONTH_WORD.sub(" ", line))
    rest = re.sub(r"\b(19|20)\d{2}\b|\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\b[a-z]{2,4}t\b|[^\w\s]", " ", rest, flags=re.I)
    return has_date and words(rest) <= 6


def _is_section_label(line: str) -> bool:
    """"COMMENTARY", "WORLD", "[ANCHOR]": one to three upper-case words."""
    letters = [c for c in line if c.isalpha()]
    return words(line) <= 3 and bool(letters) and all(c.isupper() for c in letters) and not line.endswith(".")


def _masthead(line: str) -> str | None:
    """The site name of a masthead line, or None."""
    bracketed = BRACKETED.match(line)
    first = bracketed.group("inner") if bracketed else MASTHEAD_SPLIT.split(line)[0]
    letters = [c for c in first if c.isalpha()]
    name_words = [word for word in first.split() if sum(c.isalpha() for c in word) >= 2]
    if not letters or words(first) > MASTHEAD_MAX_WORDS or not name_words:
        return None
    if all(word.lower().strip("&,.") in SECTION_WORDS for word in name_words):
        return None
    if all(c.isupper() for c in letters) and (len(name_words) >= 2 or bracketed):
        return first.strip()
    rest = line[len(first):]
    if re.match(r"^\s*[>›»]", rest) and words(first) >= 2 and _is_nav_line(line):
        return first.strip()   # "Gulf & Levant Times > Region > Iran"
    return None


def _pick_title(head: list[str]) -> str | None:
    candidates = [line for line in head if words(line) <= HEADLINE_MAX_WORDS and not line.endswith(".")
                  and not DATELINE_LINE.match(line)]
    plain = [line for line in candidates if not re.search(r"\s[|—–]\s", line)]
    chosen = (plain or candidates or [None])[0]
    return HEADLINE_UPDATE_PREFIX.sub("", chosen) if chosen else None


# --------------------------------------------------------------------------
# 3. Tail
# --------------------------------------------------------------------------

def _cut_tail(paragraphs: list[str], result: Cleaned) -> list[str]:
    """Cut teaser lists and comment sections (see module doc)."""
    total_prose = sum(words(p) for p in paragraphs if is_prose(p)) or 1
    kept: list[str] = []
    prose_seen = 0
    index = 0
    while index < len(paragraphs):
        line = paragraphs[index]
        if _is_comment_heading(line) and prose_seen / total_prose >= COMMENT_CUT_MIN_SHARE:
            result.removed.extend(paragraphs[index:])
            break
        if _is_teaser_heading(line):
            end = _teaser_run_end(paragraphs, index + 1)
            result.removed.extend(paragraphs[index:end])
            index = end
            continue
        if is_prose(line):
            prose_seen += words(line)
        kept.append(line)
        index += 1
    return kept


def _is_teaser_heading(line: str) -> bool:
    return words(line) <= 8 and bool(TEASER_HEADING.search(line)) and not line.endswith(".")


def _is_comment_heading(line: str) -> bool:
    return words(line) <= 12 and bool(COMMENT_HEADING.search(line))


def _teaser_run_end(paragraphs: list[str], start: int) -> int:
    """End of the teaser list that starts at `start` (exclusive).

    Teasers are short headlines, list items and blurbs ending in "…"; the run
    also swallows page furniture between them. A prose sentence ends it,
    since the story (or a comment thread, handled separately) resumes there.
    """
    index = start
    while index < len(paragraphs) and _is_teaser(paragraphs[index]):
        index += 1
    return index


def _is_teaser(paragraph: str) -> bool:
    if _is_comment_heading(paragraph):
        return False
    if paragraph.endswith(ELLIPSIS) or _is_junk(paragraph) or _is_teaser_heading(paragraph):
        return True
    if _is_list_item(paragraph):
        return words(paragraph) <= HEADLINE_MAX_WORDS
    return words(paragraph) <= HEADLINE_MAX_WORDS and not is_prose(paragraph)


# --------------------------------------------------------------------------
# 4-5. Lines and captions
# --------------------------------------------------------------------------

def _drop_lines(paragraphs: list[str], result: Cleaned) -> list[str]:
    kept = []
    for paragraph in paragraphs:
        if is_caption(paragraph):
            result.captions.append(paragraph)
        elif _is_junk(paragraph) or TEASER_LINE.search(paragraph) and words(paragraph) <= JUNK_MAX_WORDS:
            result.removed.append(paragraph)
        elif _is_comment_heading(paragraph) or UPDATE_NOTE.search(paragraph):
            result.removed.append(paragraph)
        else:
            kept.append(paragraph)
    return kept


def is_caption(paragraph: str) -> bool:
    """A photo caption or credit line, kept apart from the story."""
    if CAPTION_LABEL.search(paragraph):
        return True
    return bool(CAPTION_CREDIT_END.search(paragraph) and CAPTION_PHRASE.search(paragraph))  # the cheap test first


# --------------------------------------------------------------------------
# 6. Syndication credits
# --------------------------------------------------------------------------

def find_credit(paragraphs: list[str], removed: list[str] | None = None) -> str | None:
    """The original publisher credited in the text, normalised ("Reuters", "CBC News").

    An explicit "Source:"/"originally appeared" line wins over an agency tag
    in the lede ("(AP) —"), which wins over a bare trailing "— AFP" line.
    Lines already removed as furniture (e.g. under a separator) still count.
    """
    lines = list(paragraphs) + list(removed or [])
    for line in lines:
        name = _source_line_name(line)
        if name:
            return name
    for line in paragraphs[:3]:
        match = LEDE_AGENCY.match(line)
        if match and match.group("name").lower() not in NOT_AGENCIES:
            return _normalise_credit(match.group("name"))
    return _trailing_agency(paragraphs)


def _source_line_name(line: str) -> str | None:
    if words(line) > 20:
        return None
    match = ORIGINALLY_LINE.search(line)
    if match:
        return _normalise_credit(match.group("name") or match.group("name2"))
    match = SOURCE_LINE.match(line)
    if match:
        return _normalise_credit(match.group("name") or match.group("any"))
    return None


def _trailing_agency(paragraphs: list[str]) -> str | None:
    for line in reversed(paragraphs[-3:]):
        name = _bare_agency(line)
        if name:
            return name
    return None


def _bare_agency(line: str) -> str | None:
    match = TRAILING_AGENCY.match(line)
    if not match:
        return None
    return KNOWN_AGENCIES.get(match.group("name").strip(" .-/").lower())


def _normalise_credit(name: str) -> str | None:
    name = CREDIT_CUT.sub("", name.strip()).strip(" .,:;-—–()[]\"'")
    if not name or name.lower() in GENERIC_CREDITS or words(name) > 6:
        return None
    return KNOWN_AGENCIES.get(name.lower(), name)


def _is_credit_line(paragraph: str) -> bool:
    """Standalone credit lines, removed from the text once read."""
    if words(paragraph) > 20:
        return False
    return bool(SOURCE_LINE.match(paragraph) or ORIGINALLY_LINE.search(paragraph) or _bare_agency(paragraph))


def _copyright_name(lines: list[str]) -> str | None:
    """A site name from a removed copyright footer: "(c) 2017 The Daily Meridian."."""
    for line in lines:
        match = COPYRIGHT_NAME.search(line)
        if match and words(match.group("name")) <= MASTHEAD_MAX_WORDS:
            return match.group("name").strip(" .")
    return None
