"""Tests for launchwatch.knowledge: packaged data files, lookups, user extension."""
from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

from launchwatch.errors import KnowledgeError
from launchwatch.knowledge import (
    AGENCY_KINDS, FILES, PACKAGE_DIR, SITE_KINDS, Actor, Agency, Knowledge,
    MissileSystem, Site, _variants, load_knowledge, lookup_key,
)
from launchwatch.records import PLATFORMS, WEAPON_CLASSES

DEV_README = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev" / "README.md"


@pytest.fixture(autouse=True, scope="module")
def _fresh_cache():
    load_knowledge.cache_clear()
    yield
    load_knowledge.cache_clear()


def write(d: Path, name: str, text: str) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    p = d / name
    p.write_text(text, encoding="utf-8")
    return p


# ------------------------------------------------------------ packaged files

def test_knowledge_loads_packaged_files():
    kb = load_knowledge()
    assert isinstance(kb, Knowledge)
    assert kb.systems and kb.actors and kb.agencies and kb.sites
    assert all(isinstance(s, MissileSystem) for s in kb.systems)
    assert all(isinstance(a, Actor) for a in kb.actors)
    assert all(isinstance(a, Agency) for a in kb.agencies)
    assert all(isinstance(s, Site) for s in kb.sites)
    assert isinstance(kb.terms, dict) and "launch" in kb.terms
    for stem in ("missiles", "actors", "agencies", "sites", "terms"):
        assert f"{stem}=" in kb.version
    for fname in FILES:
        assert (PACKAGE_DIR / fname).is_file()


def test_knowledge_values_are_valid():
    kb = load_knowledge()
    codes = {a.code for a in kb.actors}
    for s in kb.systems:
        assert s.weapon_class in WEAPON_CLASSES, s
        assert s.platform is None or s.platform in PLATFORMS, s
        assert s.country in codes, s
    for a in kb.agencies:
        assert a.kind in AGENCY_KINDS, a
        assert a.country in codes, a
    for s in kb.sites:
        assert s.kind is None or s.kind in SITE_KINDS, s


def test_knowledge_is_cached_per_dirs(tmp_path):
    assert load_knowledge() is load_knowledge(())
    assert load_knowledge([]) is load_knowledge(())
    kb = load_knowledge()
    assert kb.system_by_alias() is kb.system_by_alias()
    d = tmp_path / "u"
    d.mkdir()
    assert load_knowledge([str(d)]) is load_knowledge((str(d),))
    assert load_knowledge([str(d)]) is not kb


# ------------------------------------------------------------ lookups

def test_knowledge_alias_lookup_kn23():
    idx = load_knowledge().system_by_alias()
    a, b = idx["kn-23"], idx["hwasong-11ga"]
    assert a is b
    assert a.weapon_class == "srbm" and a.country == "KP"


def test_knowledge_alias_lookup_spelling_variants():
    idx = load_knowledge().system_by_alias()
    for key in ("kn22", "kn 22", "hwasong 15", "hwasong15", "hs-15", "kn-22"):
        assert idx[key].name == "Hwasong-15", key
    assert idx["hwasong-15"].weapon_class == "icbm"


def test_knowledge_actor_lookup():
    idx = load_knowledge().actor_by_name()
    for name in ("north korea", "dprk", "pyongyang", "north korean", "the north", "n. korea"):
        assert idx[name] == "KP", name


def test_knowledge_agency_lookup():
    idx = load_knowledge().agency_by_alias()
    assert idx["jcs"].label == "South Korea JCS"
    assert idx["south korea's joint chiefs of staff"].country == "KR"
    assert idx["korean central news agency"].label == "KCNA"
    assert idx["kcna"].kind == "state_media"


def test_knowledge_site_lookup():
    idx = load_knowledge().site_by_alias()
    s = idx["tongchang-ri"]
    assert s is idx["sohae"]
    assert s.country == "KP" and 39 < s.lat < 40.5 and 124 < s.lon < 125


def test_knowledge_lookup_key_and_variants():
    assert lookup_key("  Ra\u2019ad-II ") == "ra'ad-ii"
    assert set(_variants("Dong Feng-5")) >= {"dong feng-5", "dong feng 5", "dong-feng-5", "dong-feng5", "dong feng5"}
    assert "dongfeng5" not in _variants("Dong Feng-5")  # a space is never dropped
    idx = load_knowledge().system_by_alias()
    assert idx[lookup_key("Ra\u2019ad")].country == "PK"
    assert idx["dongfeng5"].name == "DF-5"
    assert idx["kn 23"] is idx["hwasong 11ga"] is idx["hwasong11ga"]


# Names as the dev set writes them -> classes its gold accepts for them.
DEV_SYSTEMS = {
    "ATACMS": {"srbm"}, "Ababeel": {"mrbm"}, "Agni-V": {"irbm", "icbm"}, "Avangard": {"hypersonic"},
    "Babur-3": {"cruise"}, "Bulava": {"slbm"}, "Chollima-1": {"space_launch"}, "DF-5": {"icbm"},
    "Emad": {"mrbm"}, "Hwasal-1": {"cruise"}, "Hwasal-2": {"cruise"}, "Hwasong-12": {"irbm"},
    "Hwasong-14": {"icbm"}, "Hwasong-15": {"icbm"}, "Hwasong-16B": {"irbm"}, "Hwasong-17": {"icbm"},
    "Hwasong-18": {"icbm"}, "Hwasong-8": {"hypersonic"}, "Hyunmoo-2": {"srbm"}, "KN-23": {"srbm"},
    "KN-24": {"srbm"}, "Khorramshahr": {"mrbm"}, "Minuteman III": {"icbm"}, "Pukguksong": {"slbm"},
    "Pukguksong-1": {"slbm"}, "Qaem-100": {"space_launch"}, "Sarmat": {"icbm"}, "Shaheen-III": {"mrbm"},
    "Simorgh": {"space_launch"}, "Taepodong-1": {"space_launch"}, "Taepodong-2": {"icbm"},
    "Tomahawk": {"cruise"}, "Unha-3": {"space_launch"}, "Zircon": {"hypersonic"},
    "super-large multiple rocket launcher": {"srbm"}, "Rodong": {"mrbm"}, "Malligyong-1": {"space_launch"},
}


@pytest.mark.parametrize("name,classes", sorted(DEV_SYSTEMS.items()))
def test_knowledge_dev_set_system_names_resolve(name, classes):
    system = load_knowledge().system_by_alias()[lookup_key(name)]
    assert system.weapon_class in classes


DEV_ACTORS = {"KP": ["North Korea", "Pyongyang", "the North", "North Korean"], "KR": ["South Korea", "Seoul", "South Korean"],
              "YE": ["Houthis", "Houthi rebels", "Ansar Allah", "Yemen's Houthi movement"], "RU": ["Russia", "Moscow"],
              "IR": ["Iran", "Tehran"], "IN": ["India", "New Delhi"], "PK": ["Pakistan", "Islamabad"], "CN": ["China", "Beijing"],
              "US": ["United States", "U.S.", "Washington"], "JP": ["Japan", "Tokyo"], "IL": ["Israel"], "LB": ["Hezbollah"]}


def test_knowledge_required_actors_and_names():
    idx = load_knowledge().actor_by_name()
    for code, names in DEV_ACTORS.items():
        for n in names:
            assert idx[lookup_key(n)] == code, n


DEV_SITES = {
    "Sunan": "KP", "Pyongyang International Airport": "KP", "Tongchang-ri": "KP", "Musudan-ri": "KP",
    "Hodo peninsula": "KP", "Wonsan": "KP", "Sinpo": "KP", "Kusong": "KP", "Pyongsong": "KP", "Kaechon": "KP",
    "Hamhung": "KP", "Tongchon": "KP", "Jagang province": "KP", "Mupyong-ni": "KP", "Uiju": "KP",
    "Kittaeryong": "KP", "Panghyon": "KP", "Sondok": "KP", "Yonghung": "KP", "Kwail": "KP", "Sukchon": "KP",
    "Gangneung": "KR", "Anheung": "KR", "Naro Space Center": "KR",
    "Imam Khomeini Space Port": "IR", "Semnan": "IR", "Shahroud": "IR",
    "Plesetsk": "RU", "Kura": "RU", "Dombarovsky": "RU", "Kapustin Yar": "RU", "Vostochny": "RU",
    "Baikonur": "KZ", "Jiuquan": "CN", "Taiyuan": "CN", "Xichang": "CN", "Wenchang": "CN",
    "Wheeler Island": "IN", "Dr APJ Abdul Kalam Island": "IN", "Chandipur": "IN", "Sriharikota": "IN",
    "Sonmiani": "PK", "Tilla": "PK", "Vandenberg Space Force Base": "US", "Vandenberg Air Force Base": "US",
    "Kwajalein": "MH", "Cape Canaveral": "US", "Wallops": "US", "Kodiak": "US", "White Sands": "US",
    "East Sea": "", "Sea of Japan": "", "Yellow Sea": "", "West Sea": "", "Pacific": "",
    "Sea of Okhotsk": "", "Barents Sea": "", "White Sea": "", "Japan's EEZ": "JP",
}


@pytest.mark.parametrize("name,country", sorted(DEV_SITES.items()))
def test_knowledge_required_sites_resolve(name, country):
    site = load_knowledge().site_by_alias()[lookup_key(name)]
    assert site.country == country


# rough (lat_min, lat_max, lon_min, lon_max) per territory
BOXES = {"KP": (37.6, 43.1, 124.1, 130.8), "KR": (33.0, 38.7, 124.5, 131.0), "JP": (24.0, 45.6, 122.9, 146.0),
         "IR": (25.0, 39.8, 44.0, 63.4), "IN": (6.5, 35.5, 68.0, 97.5), "PK": (23.6, 37.1, 60.8, 77.9),
         "CN": (18.0, 53.6, 73.5, 135.1), "RU": (41.2, 82.0, 19.6, 180.0), "YE": (12.0, 19.0, 42.0, 54.0),
         "IL": (29.4, 33.4, 34.2, 35.9), "UA": (44.3, 52.4, 22.1, 40.3)}


def test_knowledge_site_coords_fall_in_their_country():
    for s in load_knowledge().sites:
        if s.lat is None or s.country not in BOXES:
            continue
        lat0, lat1, lon0, lon1 = BOXES[s.country]
        assert lat0 <= s.lat <= lat1 and lon0 <= s.lon <= lon1, s


def test_knowledge_range_is_consistent_with_class():
    """A stated range must not contradict a range class (convention 3 thresholds; a range
    exactly on a boundary fits both classes: Scud-ER and Burkan-2H are 'about 1,000 km')."""
    bounds = {"srbm": (0, 1000), "mrbm": (1000, 3000), "irbm": (3000, 5500), "icbm": (5500, 20000)}
    for s in load_knowledge().systems:
        if s.range_km is not None and s.weapon_class in bounds:
            lo, hi = bounds[s.weapon_class]
            assert lo <= s.range_km <= hi, s


# ------------------------------------------------------------ data quality

def test_knowledge_every_alias_unique_across_systems():
    owners = defaultdict(set)
    for s in load_knowledge().systems:
        for a in (s.name, *s.aliases):
            owners[" ".join(a.lower().split())].add(s.name)
    clashes = {k: v for k, v in owners.items() if len(v) > 1}
    assert not clashes


def test_knowledge_spelling_variants_unique_across_systems():
    """Generated hyphen/space variants never make a key shared by two systems."""
    owners = defaultdict(set)
    for s in load_knowledge().systems:
        for a in (s.name, *s.aliases):
            for v in _variants(a):
                owners[v].add(s.name)
    assert not {k: v for k, v in owners.items() if len(v) > 1}


def test_knowledge_agency_aliases_are_not_actor_names():
    """An agency alias that is also an actor name would hide the actor from the extractor.
    The single documented exception: 'Houthis' is both the YE actor and the source label."""
    kb = load_knowledge()
    clash = set(kb.agency_by_alias()) & set(kb.actor_by_name())
    assert clash == {"houthis"}


def test_knowledge_every_alias_unique_across_agencies_and_sites():
    kb = load_knowledge()
    for entries in ((a for a in kb.agencies), (s for s in kb.sites)):
        owners = defaultdict(set)
        for e in entries:
            name = getattr(e, "label", None) or e.name
            for a in (name, *e.aliases):
                owners[a.lower()].add(name)
        assert not {k: v for k, v in owners.items() if len(v) > 1}


def test_knowledge_actor_names_unique():
    owners = defaultdict(set)
    for a in load_knowledge().actors:
        for n in a.names:
            owners[n.lower()].add(a.code)
    assert not {k: v for k, v in owners.items() if len(v) > 1}


def test_knowledge_every_site_has_coords_or_is_listed_without():
    raw = tomllib.loads((PACKAGE_DIR / "sites.toml").read_text(encoding="utf-8"))
    for entry in raw["site"]:
        if entry.get("no_coords"):
            assert "lat" not in entry and "lon" not in entry, entry["name"]
        else:
            assert isinstance(entry.get("lat"), (int, float)), entry["name"]
            assert isinstance(entry.get("lon"), (int, float)), entry["name"]
    for s in load_knowledge().sites:
        assert (s.lat is None) == (s.lon is None), s.name


def test_knowledge_reported_by_labels_of_dev_set_are_agencies():
    """Convention 12 labels that name an institution are canonical agency labels."""
    if not DEV_README.exists():
        pytest.skip("dev README not available")
    text = DEV_README.read_text(encoding="utf-8")
    block = text[text.index("**reported_by labels**"):]
    block = block[:block.index("\n")]
    labels = re.findall(r"`([^`]+)`", block)
    # not agencies: a state speaking as such, people, parties, generic sources
    generic = {"North Korea", "South Korean officials", "US officials", "Narendra Modi",
               "Democratic Party", "analysts", "commercial satellite imagery"}
    have = {a.label for a in load_knowledge().agencies}
    missing = [lab for lab in labels if lab not in generic and lab not in have]
    assert not missing


# ------------------------------------------------------------ user extension

def test_knowledge_user_dir_adds_and_overrides(tmp_path):
    d = tmp_path / "mine"
    write(d, "missiles.toml", '''
version = "local-1"

[[system]]
name = "Hwasong-15"
country = "KP"
weapon_class = "icbm"
aliases = ["HS-15", "Big Fifteen"]
platform = "road_mobile"

[[system]]
name = "Testbird-1"
country = "KP"
weapon_class = "cruise"
aliases = ["TB-1"]
''')
    write(d, "actors.toml", '''
version = "local-1"
[[actor]]
code = "XK"
names = ["Kosovo"]
''')
    write(d, "terms.toml", '''
version = "local-1"
[launch]
verbs = ["lobbed"]
[mine]
words = ["x"]
''')
    base = load_knowledge()
    kb = load_knowledge([str(d)])
    assert len(kb.systems) == len(base.systems) + 1
    idx = kb.system_by_alias()
    assert idx["big fifteen"].platform == "road_mobile"
    assert idx["hwasong-15"] is idx["big fifteen"]
    assert idx["tb-1"].weapon_class == "cruise"
    # replaced entry keeps its position; the packaged aliases it dropped are gone
    names = [s.name for s in kb.systems]
    assert names.index("Hwasong-15") == [s.name for s in base.systems].index("Hwasong-15")
    assert names.count("Hwasong-15") == 1
    assert "kn-22" not in idx
    assert kb.actor_by_name()["kosovo"] == "XK"
    assert kb.actor_by_name()["dprk"] == "KP"
    assert "lobbed" in kb.terms["launch"]["verbs"]
    assert kb.terms["mine"]["words"] == ["x"]
    assert "local-1" in kb.version and str(d) in kb.version
    # the packaged knowledge is untouched
    assert "big fifteen" not in base.system_by_alias()


def test_knowledge_user_dirs_apply_in_order(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for d, cls in ((one, "srbm"), (two, "mrbm")):
        write(d, "missiles.toml", f'version = "1"\n[[system]]\nname = "X-1"\ncountry = "KP"\n'
                                  f'weapon_class = "{cls}"\n')
    assert load_knowledge([str(one), str(two)]).system_by_alias()["x-1"].weapon_class == "mrbm"
    assert load_knowledge([str(two), str(one)]).system_by_alias()["x-1"].weapon_class == "srbm"


def test_knowledge_override_is_case_insensitive(tmp_path):
    d = tmp_path / "u"
    write(d, "agencies.toml", 'version = "1"\n[[agency]]\nlabel = "kcna"\ncountry = "KP"\n'
                              'aliases = ["Central News"]\nkind = "state_media"\n')
    kb = load_knowledge([str(d)])
    assert sum(a.label.lower() == "kcna" for a in kb.agencies) == 1
    assert kb.agency_by_alias()["central news"].label == "kcna"


def test_knowledge_terms_lists_extended_without_duplicates(tmp_path):
    base = load_knowledge().terms
    d = tmp_path / "u"
    write(d, "terms.toml", 'version = "1"\n[launch]\nverbs = ["fired", "lobbed"]\n')
    verbs = load_knowledge([str(d)]).terms["launch"]["verbs"]
    assert verbs.count("fired") == 1 and "lobbed" in verbs
    assert base == load_knowledge().terms  # packaged terms not mutated


# ------------------------------------------------------------ errors

MALFORMED = [
    ("missiles.toml", 'version = "1"\n[[system]]\nname = "Bad"\ncountry = "KP"\n', "weapon_class"),
    ("missiles.toml", 'version = "1"\n[[system]]\nname = "Bad"\ncountry = "KP"\nweapon_class = "rocket"\n',
     "weapon_class"),
    ("missiles.toml", 'version = "1"\n[[system]]\nname = "Bad"\ncountry = "KP"\nweapon_class = "srbm"\n'
                      'platform = "train"\n', "platform"),
    ("missiles.toml", 'version = "1"\n[[system]]\nname = "Bad"\ncountry = "North Korea"\n'
                      'weapon_class = "srbm"\n', "country"),
    ("missiles.toml", 'version = "1"\n[[system]]\nname = "Bad"\ncountry = "KP"\nweapon_class = "srbm"\n'
                      'alias = ["B"]\n', "alias"),
    ("missiles.toml", 'version = "1"\n[[system]]\nname = "Bad"\ncountry = "KP"\nweapon_class = "srbm"\n'
                      'aliases = "B"\n', "aliases"),
    ("missiles.toml", 'version = "1"\n[[system]]\nname = "Bad"\ncountry = "KP"\nweapon_class = "srbm"\n'
                      'range_km = "far"\n', "range_km"),
    ("missiles.toml", '[[system]]\nname = "Bad"\ncountry = "KP"\nweapon_class = "srbm"\n', "version"),
    ("missiles.toml", 'version = "1"\nname = "Bad"\n', "name"),
    ("missiles.toml", 'version = "1"\n[[system]]\nname = "Bad"\ncountry = "KP"\nweapon_class = "srbm"\n'
                      '[[system]]\nname = "bad"\ncountry = "KP"\nweapon_class = "srbm"\n', "duplicate"),
    ("missiles.toml", 'version = "1"\n[[system]\nname = ', "not valid TOML"),
    ("actors.toml", 'version = "1"\n[[actor]]\ncode = "KP"\n', "names"),
    ("actors.toml", 'version = "1"\n[[actor]]\ncode = "KPR"\nnames = ["x"]\n', "code"),
    ("agencies.toml", 'version = "1"\n[[agency]]\nlabel = "Bad"\ncountry = "KP"\nkind = "blog"\n', "kind"),
    ("sites.toml", 'version = "1"\n[[site]]\nname = "Bad"\ncountry = "KP"\nlat = 95.0\nlon = 10.0\n', "lat"),
    ("sites.toml", 'version = "1"\n[[site]]\nname = "Bad"\ncountry = "KP"\nlat = 39.0\nlon = "east"\n',
     "lon"),
    ("sites.toml", 'version = "1"\n[[site]]\nname = "Bad"\ncountry = "KP"\nlat = 39.0\n', "lon"),
    ("sites.toml", 'version = "1"\n[[site]]\nname = "Bad"\ncountry = "KP"\nkind = "moon"\nno_coords = true\n',
     "kind"),
    ("sites.toml", 'version = "1"\n[[site]]\nname = "Bad"\ncountry = "KP"\nlat = 1.0\nlon = 1.0\n'
                   'no_coords = true\n', "no_coords"),
    ("terms.toml", 'version = "1"\n[launch]\nverbs = "fired"\n', "verbs"),
    ("terms.toml", 'version = "1"\nlaunch = ["fired"]\n', "launch"),
]


@pytest.mark.parametrize("fname,text,needle", MALFORMED)
def test_knowledge_malformed_file_error(tmp_path, fname, text, needle):
    d = tmp_path / "bad"
    path = write(d, fname, text)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge([str(d)])
    msg = str(info.value)
    assert str(path) in msg
    assert needle in msg


def test_knowledge_error_names_the_entry(tmp_path):
    d = tmp_path / "bad"
    write(d, "missiles.toml", 'version = "1"\n[[system]]\nname = "Good"\ncountry = "KP"\n'
                              'weapon_class = "srbm"\n[[system]]\nname = "Broken-7"\ncountry = "KP"\n'
                              'weapon_class = "laser"\n')
    with pytest.raises(KnowledgeError, match=r"\[\[system\]\] #2 \('Broken-7'\)"):
        load_knowledge([str(d)])


def test_knowledge_missing_dir_and_stray_file_errors(tmp_path):
    with pytest.raises(KnowledgeError, match="does not exist"):
        load_knowledge([str(tmp_path / "nope")])
    d = tmp_path / "typo"
    write(d, "missile.toml", 'version = "1"\n')
    with pytest.raises(KnowledgeError, match="missile.toml"):
        load_knowledge([str(d)])
