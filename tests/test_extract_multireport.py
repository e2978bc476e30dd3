"""Phrasings of the later reports of a launch: statements, analysis pieces and back-references.

Written for these tests (not taken from any gold set): each case is a way a
second or third article speaks of a launch that the first one reported.
"""
from launchwatch.extract import extract_events
from launchwatch.knowledge import load_knowledge
from launchwatch.records import Article
from test_extract_phrasings import extract, only


def extract_with_evidence(text, published):
    events = extract_events(Article(doc_id="t", source="test", text=text, published=published), load_knowledge())
    return [(e.values, e.evidence) for e in events]


def test_last_weekday_written_the_day_after_is_a_week_back():
    # 2025-03-05 is a Wednesday: "last Tuesday" is March 4 minus a week; bare "Tuesday" is yesterday.
    events = extract(
        "Analysts are still arguing over last Tuesday's Yars launch from Plesetsk, which the Russian "
        "Defence Ministry said was a success.", "2025-03-05")
    assert only(events, weapon_name="Yars")["date"] == "2025-02-25"
    events = extract("Russia test-fired a Yars missile from Plesetsk on Tuesday, the Defence Ministry said.", "2025-03-05")
    assert only(events, weapon_name="Yars")["date"] == "2025-03-04"


def test_last_weekday_a_few_days_back_stays_this_week():
    events = extract("The Yars launched last Tuesday flew to the Kura range, the Defence Ministry said.", "2025-03-07")
    assert only(events, weapon_name="Yars")["date"] == "2025-03-04"


def test_satellite_put_into_orbit_days_before_is_its_own_launch():
    events = extract(
        "TEHRAN, June 12 - Iran's Revolutionary Guards fired an Emad ballistic missile on Thursday, state TV said, "
        "three days after the country placed two satellites into orbit with a Simorgh rocket.\n\n"
        "The missile was fired from a site near Kermanshah, the IRGC said.", "2025-06-12")
    emad = only(events, weapon_name="Emad")
    assert emad["date"] == "2025-06-12" and emad["launch_location"] == "a site near Kermanshah"
    simorgh = only(events, weapon_name="Simorgh")
    assert simorgh["date"] == "2025-06-09" and simorgh["weapon_class"] == "space_launch"
    assert simorgh["launch_location"] is None


def test_failed_attempt_to_reach_orbit_is_no_success():
    events = extract(
        "Iran's bid to put a research satellite into orbit failed on Sunday when the Simorgh rocket's "
        "second stage shut down early, state TV said.", "2025-06-16")
    assert only(events, weapon_name="Simorgh")["outcome"] == "failure"


def test_statement_naming_the_missiles_in_a_second_sentence():
    events = extract(
        "Sanaa - 3 March 2025 (Saba) - The Yemeni Armed Forces spokesman said in a statement that the naval "
        "forces carried out a military operation on Sunday targeting the vessel ORCA BAY in the Gulf of Aden.\n\n"
        "He said the operation was carried out with two ballistic missiles and that the vessel was hit directly.",
        "2025-03-03")
    event = only(events, actor="YE")
    assert (event["date"], event["weapon_class"], event["count"]) == ("2025-03-02", "ballistic", 2)
    assert event["reported_by"] == ["Houthis"]
    assert event["outcome"] == "success"


def test_operation_without_missiles_is_no_launch():
    events = extract(
        "The spokesman said the forces carried out an operation on Sunday targeting a vessel with drones, "
        "and that the operation was carried out with boats.", "2025-03-03")
    assert events == []


def test_rival_figures_in_one_sentence_are_both_claims():
    article_events = extract_with_evidence(
        "Russia test-fired a Yars missile from Plesetsk on Tuesday, the Defence Ministry said. A General Staff "
        "officer said it flew more than 5,800 km, while independent estimates based on the test corridor come out "
        "nearer 5,700 km. Analysts put the flight at closer to 5,650 kilometres.", "2025-03-05")
    event, evidence = article_events[0]
    assert event["distance_km"] == 5800
    assert {e.value for e in evidence["distance_km"][1:]} >= {5700}


def test_a_capability_after_while_is_no_rival_figure():
    event, evidence = extract_with_evidence(
        "North Korea fired a Hwasong-12 on Monday that flew 800 km, the JCS said, while the range of the "
        "Hwasong-12 is 4,500 km.", "2025-03-03")[0]
    assert event["distance_km"] == 800 and len(evidence["distance_km"]) == 1


def test_flight_time_before_it_fell_and_landing_outside_the_zone():
    event, _ = extract_with_evidence(
        "North Korea fired a ballistic missile on Monday, Japan's Defense Ministry said. It said the missile was "
        "in the air for about 12 minutes before it fell outside Japan's exclusive economic zone.", "2025-03-03")[0]
    assert event["flight_time_s"] == 720
    assert event["landing"] == "outside Japan's exclusive economic zone"


def test_place_after_the_launcher_and_rival_wordings_from_other_sources():
    event, evidence = extract_with_evidence(
        "North Korea fired a ballistic missile from the Pyongyang area on Monday, South Korea's Joint Chiefs of "
        "Staff said.\n\nKCNA said the missile was launched from a mobile launching pad in the suburbs of Pyongyang.",
        "2025-03-03")[0]
    assert event["launch_location"] == "the Pyongyang area"
    rivals = [(e.value, e.source) for e in evidence["launch_location"][1:]]
    assert rivals == [("the suburbs of Pyongyang", "KCNA")]


def test_it_said_is_the_agency_that_opened_the_sentence_before():
    event, evidence = extract_with_evidence(
        "North Korea fired a ballistic missile on Monday, South Korea's Joint Chiefs of Staff said. It flew about "
        "1,050 kilometers, the JCS said.\n\nJapan's Defense Ministry gave a longer figure. It said the missile "
        "traveled about 1,100 kilometers.", "2025-03-03")[0]
    rival = evidence["distance_km"][1]
    assert (rival.value, rival.source) == (1100, "Japan Ministry of Defense")
    assert "North Korea" not in event["reported_by"]


def test_the_launch_sites_clock_gives_the_day():
    events = extract(
        "WASHINGTON - China test-launched an intercontinental ballistic missile on Wednesday night, US officials "
        "said.\n\nThe missile was fired at 9:10 p.m. Eastern time - 9:10 a.m. Thursday in Beijing - and flew about "
        "11,000 km.", "2025-03-07")
    assert [e["date"] for e in events if e["actor"] == "CN"] == ["2025-03-06"]


def test_dates_of_imagery_and_warnings_are_not_launch_dates():
    events = extract(
        "China fired an ICBM on March 6, the defence ministry said. Maritime warnings issued by China on March 4 "
        "closed a box of ocean for the launch. Commercial satellite imagery from March 5 shows launchers at the site.",
        "2025-03-09")
    assert [e["date"] for e in events] == ["2025-03-06"]


def test_a_launch_told_in_passing_does_not_take_the_focus():
    events = extract(
        "Pakistan on Wednesday conducted a training launch of the Shaheen-III missile, the military said, hours "
        "after India flight-tested its Agni-5 missile.\n\nOfficials said the missile flew about 1,400 kilometres from "
        "a launch site near Sonmiani.\n\nThe Indian missile, which New Delhi says can reach 5,000 km, was fired from "
        "an island off the eastern coast.", "2025-03-06")
    shaheen = only(events, actor="PK")
    assert (shaheen["distance_km"], shaheen["launch_location"]) == (1400, "a launch site near Sonmiani")
    assert only(events, actor="IN")["launch_location"] == "an island off the eastern coast"


def test_each_figure_takes_its_nearest_source_and_one_missile_is_a_claim():
    event, evidence = extract_with_evidence(
        "Iran fired a medium-range ballistic missile on Tuesday that flew roughly 1,000 miles, a US official said, "
        "while Iran's Revolutionary Guards said they had launched two Sejjil missiles.", "2025-03-05")[0]
    claims = {(e.value if e.value is not None else event["count"], e.source) for e in evidence["count"]}
    assert claims == {(2, "IRGC"), (1, "US officials")}
    assert evidence["distance_km"][0].source == "US officials"


def test_spelled_out_minutes_and_thousands_grouped_with_a_space():
    event = extract(
        "Pyongyang, March 3 (KCNA) -- The missile flew 1 000 km and reached an apogee of 101.1 km on March 2. "
        "Norway's military said a Zircon flew about 500 km in about four minutes.", "2025-03-03")[0]
    assert event["distance_km"] == 1000 and event["apogee_km"] == 101.1


def test_a_previous_flight_placed_in_orbit_and_a_first_test_since_a_month_when():
    events = extract(
        "Iran's Qased rocket put the Nour-4 satellite into orbit on Thursday, the IRGC said. Nour-3 was placed in a "
        "450-kilometer orbit by a Qased carrier in September last year.\n\n"
        "It was the first Qased launch since September, when a Qased rocket carried Nour-3 into orbit.",
        "2025-05-17")
    earlier = only(events, date="2024-09")
    assert earlier["apogee_km"] == 450 and earlier["weapon_name"] == "Qased"


def test_first_class_test_since_a_date_when_gives_the_earlier_launch_its_class():
    events = extract(
        "North Korea fired an intermediate-range ballistic missile on Tuesday, the JCS said. It was the North's "
        "first IRBM test since Jan. 14, when it fired a new solid-fuel missile with a hypersonic warhead.",
        "2025-04-03")
    assert only(events, date="2025-01-14")["weapon_class"] == "irbm"


def test_a_statement_dated_before_the_launch_in_focus_tells_an_earlier_launch():
    events = extract(
        "Israel's military said on Monday it had intercepted a ballistic missile fired from Yemen toward Eilat, "
        "two days after a Houthi missile attack on Tel Aviv.\n\nOn Saturday, the IDF said it intercepted a "
        "medium-range ballistic missile launched from Yemen toward central Israel.", "2025-03-10")
    assert sorted(e["date"] for e in events) == ["2025-03-08", "2025-03-10"]
    assert only(events, date="2025-03-08")["weapon_class"] == "mrbm"


def test_a_hypersonic_ballistic_missile_is_ballistic():
    event = extract(
        "The Yemeni Armed Forces spokesman said the missile force fired two Palestine-2 hypersonic ballistic "
        "missiles at dawn today, Saturday, at the Jaffa area.", "2025-03-08")[0]
    assert event["weapon_class"] == "ballistic"
    named = extract("North Korea fired an intermediate-range hypersonic ballistic missile on Monday.", "2025-03-04")[0]
    assert named["weapon_class"] == "irbm"


def test_clause_sources_norway_and_unnamed_officials():
    event, evidence = extract_with_evidence(
        "Russia test-fired a Zircon from a frigate on Tuesday. The Defence Ministry said the missile hit a target "
        "about 400 kilometres away. Norway's Joint Headquarters said the missile flew about 500 km.\n\n"
        "The Revolutionary Guards said the satellite went into a 550 km orbit, while US Space Command put it at "
        "about 480 km.", "2025-03-05")[0]
    assert {(e.value or event["distance_km"], e.source) for e in evidence["distance_km"]} == {
        (400, "Russian Defence Ministry"), (500, "Norwegian military")}
    event, evidence = extract_with_evidence(
        "Iran's Revolutionary Guards put the Nour-5 satellite into orbit on Thursday. The Guards said the satellite "
        "went into a 550 km orbit, while US Space Command put it at about 480 km.", "2025-03-07")[0]
    assert {(e.value or event["apogee_km"], e.source) for e in evidence["apogee_km"]} == {
        (550, "IRGC"), (480, "US Space Command")}
    event = extract("France fired an M51 missile from a submarine on Thursday. A ministry official told the agency "
                    "that the missile had flown some 6,000 km.", "2025-03-07")[0]
    assert "French officials" in event["reported_by"]


def test_a_state_agency_dateline_speaks_for_every_launch_it_tells():
    events = extract(
        "Pyongyang, March 3 (KCNA) -- The DPRK Missile Administration conducted a test-fire of a new-type "
        "intermediate-range ballistic missile on March 2. The first test-fire was conducted on January 14.",
        "2025-03-03")
    assert [e["reported_by"] for e in events] == [["KCNA"], ["KCNA"]]


def test_maritime_warning_boxes_place_the_landing():
    event = extract(
        "China fired an ICBM into the Pacific on Thursday, the defence ministry said. Maritime warnings issued "
        "by China closed a box of ocean north of the Cook Islands for a window that matches the launch time.",
        "2025-03-07")[0]
    assert event["landing"] == "north of the Cook Islands"


def test_repeated_failures_are_history_and_a_fixed_pad_is_fixed():
    events = extract(
        "Iran's Simorgh, launched from a fixed pad at the Imam Khomeini spaceport, failed repeatedly before it put "
        "three small satellites into orbit in January.", "2025-05-22")
    event = only(events, weapon_name="Simorgh")
    assert (event["outcome"], event["platform"]) == ("success", "fixed")


DIGEST = """LAUNCH LOG
Week of May 16-22 | Saturday, May 22, 2027
Three launches by two countries this week.
---
1. RUSSIA | Tuesday, May 18
System: Bulava submarine-launched ballistic missile
Launched from: the submarine Yuri Dolgoruky, submerged in the White Sea
What they said: The Russian Defence Ministry said the launch was a success.
2. CHINA | Wednesday, May 19
System: DF-26 intermediate-range ballistic missile
Launched from: road-mobile launcher, Qinghai province
Distance: about 2,250 km
---
Not counted this week: Houthi forces claimed drone attacks on shipping in the Red Sea.
Next week: a Minuteman III test launch from Vandenberg is expected."""

TABLE = """THE LOG
Four launches by two states last week.
Date (local)          | State       | System (class)                  | Site
Tue 20 Feb, 23:02 PST | USA         | Minuteman III (ICBM), 1 missile | Vandenberg SFB
Sat 24 Feb, 11:20 KST | North Korea | KN-23 type (SRBM), 2 missiles   | Sukchon area
- USA, Tuesday: an operational test by Air Force Global Strike Command."""


def test_digest_entries_are_launches_with_their_labelled_lines():
    events = extract(DIGEST, "2027-05-22")
    assert [(e["actor"], e["date"]) for e in events] == [("RU", "2027-05-18"), ("CN", "2027-05-19")]
    bulava, df26 = events
    assert (bulava["weapon_name"], bulava["weapon_class"], bulava["platform"], bulava["launch_location"]) == (
        "Bulava", "slbm", "submarine", "the White Sea")
    assert (df26["weapon_class"], df26["platform"], df26["launch_location"], df26["distance_km"]) == (
        "irbm", "road_mobile", "Qinghai province", 2250)
    assert all(e["is_primary"] for e in events)
    assert "Houthis" not in df26["reported_by"]


def test_digest_table_rows_are_launches():
    events = extract(TABLE, "2024-02-26")
    assert [(e["actor"], e["date"], e["weapon_class"], e["count"]) for e in events] == [
        ("US", "2024-02-20", "icbm", 1), ("KP", "2024-02-24", "srbm", 2)]


def test_later_mentions_of_told_launches_make_no_new_ones():
    events = extract(
        "North Korea fired an ICBM last Wednesday, the JCS said. It fired two short-range missiles on Saturday. "
        "Last week's launch flew for 73 minutes.", "2027-03-23")
    assert sorted(e["date"] for e in events) == ["2027-03-17", "2027-03-20"]
    assert only(events, date="2027-03-17")["flight_time_s"] == 4380


def test_possessive_days_split_two_launches_in_one_sentence():
    events = extract(
        "North Korea fired two short-range missiles on Saturday, the JCS said. Saturday's launch followed "
        "Wednesday's test of what South Korea called an intermediate-range ballistic missile.", "2024-02-24")
    assert only(events, date="2024-02-21")["weapon_class"] == "irbm"
    assert only(events, date="2024-02-24")["weapon_class"] == "srbm"


def test_clock_time_shortly_before_a_local_day_dates_the_launch():
    event = extract("SEOUL - North Korea fired a missile on Tuesday afternoon Eastern time, shortly before "
                    "7 a.m. Wednesday in Pyongyang, South Korea's military said.", "2024-02-21")[0]
    assert event["date"] == "2024-02-21"


def test_an_attack_told_in_the_sentence_before_dates_the_missiles():
    events = extract(
        "OPINION\n\nLast Wednesday's attack on the tanker Coral Meridian was small. Two anti-ship ballistic "
        "missiles were fired from Dhamar province, Central Command said. On Jan. 26, 2024, a Houthi "
        "anti-ship ballistic missile set the tanker Marlin Luanda ablaze.", "2027-06-15")
    assert sorted(e["date"] for e in events) == ["2024-01-26", "2027-06-09"]


def test_reached_right_after_a_distance_is_the_apogee():
    event = extract("South Korea's Joint Chiefs of Staff said the North Korean missile fired on Monday flew about "
                    "1,000 km and reached about 6,000 km.", "2027-03-16")[0]
    assert (event["distance_km"], event["apogee_km"]) == (1000, 6000)


def test_that_missile_is_the_launch_told_last_and_an_offset_clause_dates_it():
    events = extract(
        "North Korea fired two missiles on Saturday, the JCS said.\n\nSaturday's launch came three days after the "
        "North fired a Hwasong-18 intercontinental ballistic missile. That missile flew about 1,000 km, according to "
        "the JCS.", "2027-03-21")
    assert only(events, date="2027-03-17")["distance_km"] == 1000
    assert only(events, date="2027-03-20")["distance_km"] is None


def test_rivals_in_a_labelled_bracket_tracked_distances_and_arrivals():
    event, evidence = extract_with_evidence(
        "2. CHINA | Wednesday, May 19\nSystem: DF-26 intermediate-range ballistic missile\n"
        "Distance: about 2,250 km (U.S.: about 1,400 miles; Taiwan MND: about 1,950 km)", "2027-05-22")[0]
    assert event["distance_km"] == 2250
    assert {e.value for e in evidence["distance_km"][1:]} == {1950}  # 1,400 miles restates 2,250 km
    event = extract("Russia fired a Bulava on Tuesday. The warheads arrived at the designated area of the Kura test "
                    "range in Kamchatka, the ministry said.", "2027-05-19")[0]
    assert event["landing"] == "the designated area of the Kura test range in Kamchatka"


def test_the_launching_states_name_for_the_weapon_is_a_class_claim():
    event, evidence = extract_with_evidence(
        'North Korea said on Sunday it had test-fired its "super-large multiple rocket launcher" a day earlier, in a '
        "drill that South Korea's military described as the launch of two short-range ballistic missiles.",
        "2027-03-21")[0]
    assert event["weapon_class"] == "srbm"
    assert "rocket_artillery" in {e.value for e in evidence["weapon_class"][1:]}


def test_what_a_missile_could_have_flown_is_a_claim_never_the_figure():
    event, evidence = extract_with_evidence(
        "India test-fired an Agni-Prime missile on Tuesday. The notice suggested the missile could have flown as "
        "far as 1,900 km, an analyst said.", "2027-04-08")[0]
    assert event["distance_km"] is None
    event, evidence = extract_with_evidence(
        "India test-fired an Agni-Prime missile on Tuesday that flew about 1,650 km, officials said. The notice "
        "suggested the missile could have flown as far as 1,900 km, an analyst said.", "2027-04-08")[0]
    assert event["distance_km"] == 1650
    assert [(e.value, e.hedge) for e in evidence["distance_km"][1:]] == [(1900, "could have")]


def test_trials_of_a_states_missile_on_two_days_and_a_launch_of_one_just_named():
    events = extract(
        "Pakistan flew a Shaheen-II from Sonmiani on 18 March, ISPR said. Pakistan last flew one in November 2026.\n\n"
        "The Pakistani shot followed two night trials of India's short-range Prithvi-II from Chandipur, on 7 March "
        "and again on 9 March, both reported as successful.", "2028-03-24")
    assert sorted((e["actor"], e["date"]) for e in events) == [
        ("IN", "2028-03-07"), ("IN", "2028-03-09"), ("PK", "2026-11"), ("PK", "2028-03-18")]


def test_a_named_systems_class_is_a_claim_when_the_article_says_only_ballistic():
    event, evidence = extract_with_evidence(
        "The Houthis fired a Toufan ballistic missile at central Israel on Monday, the IDF said.", "2028-08-07")[0]
    assert event["weapon_class"] == "ballistic"
    assert [(e.value, e.text) for e in evidence["weapon_class"][1:]] == [("mrbm", "Toufan")]


def test_negation_ends_at_a_preposition_and_capable_missiles_are_a_category():
    events = extract(
        "Iran announced that its Simorgh rocket had put a satellite into orbit. The public catalog lists no new "
        "object from the May 25 launch, US Space Command said. The State Department said the launch broke a "
        "resolution on ballistic missiles capable of delivering nuclear weapons.", "2028-06-01")
    event = only(events, weapon_name="Simorgh")
    assert (event["date"], event["weapon_class"]) == ("2028-05-25", "space_launch")


def test_earlier_space_launches_an_attempt_that_failed_and_orbits_as_landings():
    events = extract(
        "TEHRAN -- Iran's Simorgh rocket placed the Arman-1 satellite in an orbit about 500 km above the Earth on "
        "Thursday, state television reported.\n\nIran put its first domestically built satellite, Omid, into orbit "
        "with a Safir carrier in February 2009.\n\nThe Simorgh has never been reliable. The December 2021 attempt, "
        "which officials first described as a partial success, failed to reach orbit.", "2028-05-26")
    assert only(events, date="2028-05-25")["landing"] == "an orbit about 500 km above the Earth"
    assert only(events, date="2009-02")["weapon_name"] == "Safir"
    assert only(events, date="2021-12")["outcome"] == "failure"


def test_figures_an_explainer_falls_short_of_are_rival_claims():
    event, evidence = extract_with_evidence(
        "By my own measurement, the Yars that Russia fired on October 26 flew about 5,730 km. That is well short of "
        "the \"more than 6,000 kilometres\" the Russian Defence Ministry claimed, and a little short of the \"some "
        "3,600 miles\" that wire reports gave.", "2028-11-02")[0]
    assert event["distance_km"] == 5730
    assert {(e.value, e.source) for e in evidence["distance_km"][1:]} == {
        (6000, "Russian Defence Ministry"), (5792.4, "wire reports")}
