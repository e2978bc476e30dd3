#!/usr/bin/env python3
"""Write a synthetic news archive for the throughput benchmarks.

    .venv/bin/python benchmarks/make_archive.py benchmarks/out/archive --n 1000
    .venv/bin/python benchmarks/make_archive.py benchmarks/out/archive100k --n 100000 --formats warc --jobs 2

N documents, one in LAUNCH_EVERY (50, i.e. 2 %) a missile-launch report and
the rest ordinary news (sport, markets, politics, weather, technology,
culture ... and a little defence news that mentions missiles but reports no
launch). Texts come from benchmarks/archive_texts.py: templates written for
this benchmark, filled at random. Each document is a whole news page of
50-300 KB: cookie banner, navigation menus, inline and external scripts,
JSON-LD, ad slots, a related list (headlines of the story's own topic), a
most-read list (headlines from the archive's whole mix, so about one ordinary
page in six carries a launch or defence headline in its sidebar, as real
sites do), a footer, and an article body of 300-1200 words. The weight comes
from the site's chrome, which is built once per site and reused.

Output in OUT:
  html/CCCCC/NNNNNNN.html      one page per file (--formats html)
  warc/archive-CCCCC.warc.gz   --per-warc response records each, HTTP headers included (--formats warc)
  index.jsonl                  per document: index, url, kind, topic, actor, bytes, words, files

Document i depends only on (--seed, i), so the output is the same whatever
--jobs is, and the first 1,000 documents of a 100,000 archive are the 1,000 of
a 1,000 archive with the same seed.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import multiprocessing
import random
import re
import sys
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from archive_texts import (  # noqa: E402  (benchmarks/ is not a package)
    CLASS_WORDS, LAUNCH_ACTORS, LAUNCH_ANALYSIS, LAUNCH_CONTEXT, LAUNCH_OFFICIAL, LAUNCH_POOLS,
    LAUNCH_WIRE, NEWS_TOPICS, POOLS,
)

LAUNCH_EVERY = 50                 # one launch report per 50 documents: 2 %
PAGE_KB = (50, 110, 300)          # page weight: triangular(min, mode, max), in KB
BODY_WORDS = (300, 1200)          # article body length, uniform
RELATED_TEASERS = (4, 6)          # "related" list length
MOST_READ_TEASERS = 5
VOICES = (("wire", 50), ("official", 25), ("analysis", 25))
DATES = (datetime(2019, 1, 1, tzinfo=timezone.utc), 7 * 365)   # publication dates: start, span in days
JS_BLOB_BYTES = 320_000           # per-site pseudo-minified script, sliced to pad pages to their weight
GZIP_LEVEL = 6                    # warcio itself uses 9, which is 3-4x slower on this markup
SLOT = re.compile(r"\{([^{}]+)\}")
AGENCIES = ("MPA", "Northwire", "GNS", "Pacific Wire")   # fictional news agencies for datelines

SITE_NAMES = [("The Northern Ledger", "northernledger.example"), ("Harbor Daily Post", "harbordaily.example"),
              ("Meridian Times", "meridiantimes.example"), ("The Calder Courier", "caldercourier.example"),
              ("Westerly Herald", "westerlyherald.example"), ("Daily Beacon", "dailybeacon.example"),
              ("Portside News", "portsidenews.example"), ("The Clarion Record", "clarionrecord.example"),
              ("Evening Lantern", "eveninglantern.example"), ("Granite Gazette", "granitegazette.example"),
              ("The Global Dispatch", "globaldispatch.example"), ("Metro Observer", "metroobserver.example")]
NAV_SECTIONS = ["News", "World", "UK & World", "Politics", "Business", "Markets", "Economy", "Technology",
                "Science", "Health", "Sport", "Football", "Tennis", "Culture", "Film", "Music", "Books",
                "Travel", "Life & Style", "Food", "Money", "Property", "Education", "Weather", "Opinion",
                "Video", "Podcasts", "Puzzles", "Obituaries", "Climate", "Motoring", "Jobs"]
SUBMENU = ["Latest", "Explainers", "Analysis", "Live", "In pictures", "Newsletters", "Archive", "Regional",
           "Features", "Interviews", "Data", "Columnists"]
JS_WORDS = ["init", "render", "config", "state", "props", "handler", "module", "fireEvent", "queue", "slot",
            "consent", "vendor", "track", "observer", "callback", "resolve", "payload", "bundle", "lazy",
            "metrics", "session", "testFlag", "variant", "cache", "router", "hydrate", "viewport", "refresh"]


# --------------------------------------------------------------------------
# Text: templates -> story
# --------------------------------------------------------------------------

class Filler:
    """Fills {slot} templates: per-story fixed values first, then a random pool pick."""

    def __init__(self, rng: random.Random, pools: dict[str, list[str]], fixed: dict[str, str] | None = None):
        self.rng, self.pools, self.fixed = rng, pools, dict(fixed or {})

    def fill(self, template: str) -> str:
        """A sentence: slots filled, first letter capitalised."""
        text = self.expand(template)
        return text[:1].upper() + text[1:]

    def expand(self, template: str) -> str:
        """A phrase: slots filled, case kept ("the Kremlin" stays lower-case inside a sentence)."""
        return SLOT.sub(self._slot, template)

    def pick(self, templates: list[str]) -> str:
        return self.fill(self.rng.choice(templates))

    def _slot(self, match: re.Match) -> str:
        key = match.group(1)
        if key in self.fixed:
            return self.fixed[key]
        if key.startswith("#"):
            low, high = key[1:].split("-")
            return str(self.rng.randint(int(low), int(high)))
        value = self.rng.choice(self.pools[key])
        return SLOT.sub(self._slot, value) if "{" in value else value

    def distinct(self, wanted: dict[str, str]) -> None:
        """Fix one value per key of `wanted` (key -> pool), never the same value twice."""
        used = set(self.fixed.values())
        for key, pool in wanted.items():
            value = self.expand(self.rng.choice(self.pools[pool]))
            while value in used:
                value = self.expand(self.rng.choice(self.pools[pool]))
            used.add(value)
            self.fixed[key] = value


@dataclass
class Story:
    kind: str                      # "launch" | "news"
    topic: str                     # news topic, or the launch report's voice
    section: str
    headline: str
    standfirst: str
    paragraphs: list[str]
    caption: str
    author: str
    published: datetime
    actor: str | None = None
    system: str | None = None
    words: int = 0
    keywords: list[str] = field(default_factory=list)


def weighted(rng: random.Random, items: list[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in items], weights=[w for _, w in items])[0]


TOPIC_WEIGHTS = [(name, topic["weight"]) for name, topic in NEWS_TOPICS.items()]
ACTOR_WEIGHTS = [(code, actor["weight"]) for code, actor in LAUNCH_ACTORS.items()]
ALL_POOLS = {**POOLS, **LAUNCH_POOLS}


def publication_time(rng: random.Random) -> datetime:
    start, days = DATES
    return start + timedelta(days=rng.randrange(days), minutes=rng.randrange(6 * 60, 23 * 60))


def deck(rng: random.Random, templates: list[str]):
    """Draw templates in shuffled order, reshuffling when all are used: few repeats in one article."""
    while True:
        cards = list(templates)
        rng.shuffle(cards)
        yield from cards


def paragraphs_to(rng: random.Random, target_words: int, make_sentence) -> list[str]:
    """Paragraphs of 1-4 sentences from make_sentence() until target_words is reached."""
    paragraphs, words = [], 0
    while words < target_words:
        paragraph = " ".join(make_sentence() for _ in range(rng.choice((1, 2, 2, 3, 3, 4))))
        paragraphs.append(paragraph)
        words += paragraph.count(" ") + 1
    return paragraphs


def news_story(rng: random.Random) -> Story:
    name = weighted(rng, TOPIC_WEIGHTS)
    topic = NEWS_TOPICS[name]
    filler = Filler(rng, POOLS)
    filler.distinct(topic["fixed"])
    target = rng.randint(*BODY_WORDS)
    kinds = ["body"] * 6 + ["quotes"] * 2 + ["filler"]
    decks = {"body": deck(rng, topic["body"]), "quotes": deck(rng, topic["quotes"]),
             "filler": deck(rng, POOLS["filler"])}

    def sentence() -> str:
        return filler.fill(next(decks[rng.choice(kinds)]))

    body = [filler.pick(topic["leads"])] + paragraphs_to(rng, target, sentence)
    return Story("news", name, topic["section"], filler.pick(topic["headlines"]), filler.pick(topic["body"]),
                 body, filler.fill("Photograph: {full_name} for {city} Images"), filler.fill("{full_name}"),
                 publication_time(rng), keywords=[topic["section"], name])


def launch_filler(rng: random.Random, published: datetime) -> tuple[Filler, dict, tuple]:
    """A Filler whose fixed slots describe one launch: actor, system, figures, date, sources."""
    code = weighted(rng, ACTOR_WEIGHTS)
    actor = LAUNCH_ACTORS[code]
    system = rng.choice(actor["systems"])
    name, weapon_class, distance, apogee, minutes, platform, max_count = system
    count = rng.randint(1, max_count)
    singular, plural = CLASS_WORDS[weapon_class]
    article = "an" if singular[0] in "aeiou" else "a"
    launch_day = published - timedelta(days=rng.choice((0, 0, 1)))
    filler = Filler(rng, ALL_POOLS)
    site = rng.choice(actor["sites"])
    fixed = {
        "actor": rng.choice(actor["names"]), "later": rng.choice(actor["later"]),
        "dateline": rng.choice(actor["dateline"]), "agency": rng.choice(AGENCIES),
        "source": filler.expand(rng.choice(actor["wire_sources"])),
        "second_source": filler.expand(rng.choice(actor["second_sources"])),
        "official": rng.choice(actor["official"]), "unit": rng.choice(actor["unit"]),
        "system": name, "class_word": singular, "class_words": singular if count == 1 else plural,
        "a_class": f"{article} {singular}",
        "count_phrase": article if count == 1 else LAUNCH_POOLS["count_word"][count - 1],
        "count_cap_it": "It" if count == 1 else "They",
        "system_phrase": rng.choice([f"a new {singular} called the {name}", f"the {name} {singular}",
                                     f"{'an' if name[0] in 'AEIOU' else 'a'} {name} {singular}"]),
        "site": site, "landing": rng.choice(actor["landings"]), "platform": platform or f"from {site}",
        "platform_or_site": platform or f"from {site}",
        "distance": figure_km(rng, rng.randint(*distance)),
        "apogee": figure_km(rng, rng.randint(*apogee)) if apogee else figure_km(rng, rng.randint(50, 150)),
        "minutes": str(rng.randint(*minutes)) if minutes else str(rng.randint(6, 15)),
        "when": when_phrase(rng, launch_day), "expert": filler.fill("{full_name}"),
        "ordinal": rng.choice(LAUNCH_POOLS["ordinal"]),
        "toward": rng.choice(["toward " + rng.choice(actor["landings"]), "into the sea", "off its coast", ""]),
        "context": rng.choice(["the latest in a series of weapons tests this year",
                               "days after a round of regional diplomacy", "adding to tensions in the region",
                               "its first such launch in several months"]),
    }
    fixed["toward_short"] = "into sea" if fixed["toward"] else ""
    fixed["source_short"] = fixed["source"].replace("South Korea's ", "Seoul's ")
    fixed["official_cap"] = fixed["official"][:1].upper() + fixed["official"][1:]
    fixed["unit_cap"] = fixed["unit"][:1].upper() + fixed["unit"][1:]
    filler.fixed.update(fixed)
    return filler, actor, (code, name, apogee, minutes)


def figure_km(rng: random.Random, km: int) -> str:
    miles = round(km * 0.621371 / 10) * 10 or round(km * 0.621371)
    return rng.choice([f"{km:,} km", f"{km:,} kilometres", f"{km:,} km ({miles:,} miles)",
                       f"{km:,} kilometers ({miles:,} miles)"])


def when_phrase(rng: random.Random, day: datetime) -> str:
    weekday = day.strftime("%A")
    return rng.choice([f"on {weekday}", f"early on {weekday}", f"on {weekday} morning",
                       f"at about {rng.randint(5, 11)}:{rng.randint(0, 59):02d} a.m. local time on {weekday}",
                       f"on {day.strftime('%B')} {day.day}"])


def launch_story(rng: random.Random) -> Story:
    published = publication_time(rng)
    filler, actor, (code, system, apogee, minutes) = launch_filler(rng, published)
    voice = weighted(rng, list(VOICES))
    templates = {"wire": LAUNCH_WIRE, "official": LAUNCH_OFFICIAL, "analysis": LAUNCH_ANALYSIS}[voice]
    usable = [d for d in templates["details"] if ("{apogee}" not in d or apogee) and ("{minutes}" not in d or minutes)]
    details = rng.sample(usable, k=min(len(usable), rng.randint(3, 5)))
    body = [filler.pick(templates["leads"])] + [filler.fill(d) for d in details[:2]]
    body += [" ".join(filler.fill(d) for d in details[2:])] if details[2:] else []
    body.append(filler.fill(rng.choice(actor["reactions"])))
    context = deck(rng, actor["background"] + LAUNCH_CONTEXT)
    target = rng.randint(*BODY_WORDS) - sum(p.count(" ") + 1 for p in body)
    body += paragraphs_to(rng, target, lambda: filler.fill(next(context)))
    caption = filler.fill("{a_class} is launched in this undated photograph released by {official}.")
    return Story("launch", voice, "World", filler.pick(templates["headlines"]).replace(" ,", ","),
                 filler.pick(templates["details"]), body, caption, filler.fill("{full_name}"), published,
                 actor=code, system=system, keywords=["World", "Defence", filler.fixed["later"]])


def teaser_headline(rng: random.Random, topic: str | None = None) -> str:
    """A headline of `topic` ("launch" or a news topic), or else from the archive's own mix."""
    if topic is None:
        topic = "launch" if rng.randrange(LAUNCH_EVERY) == 0 else weighted(rng, TOPIC_WEIGHTS)
    if topic == "launch":
        filler, _, _ = launch_filler(rng, publication_time(rng))
        return filler.pick(LAUNCH_WIRE["headlines"]).replace(" ,", ",")
    filler = Filler(rng, POOLS)
    filler.distinct(NEWS_TOPICS[topic]["fixed"])
    return filler.pick(NEWS_TOPICS[topic]["headlines"])


# --------------------------------------------------------------------------
# Chrome: built once per site, reused for every page of that site
# --------------------------------------------------------------------------

@dataclass
class Site:
    name: str
    domain: str
    head_static: str       # stylesheets, preloads, external scripts, inline CSS
    body_top: str          # cookie banner, top ad, header, navigation
    sidebar_static: str    # newsletter box, social widgets
    footer: str
    js_blob: str           # pseudo-minified script, sliced to pad each page to its weight
    state_json: bool       # does the site embed the article again as hydration state?


def build_sites(seed: int) -> list[Site]:
    return [build_site(random.Random(f"{seed}:site:{i}"), name, domain) for i, (name, domain) in enumerate(SITE_NAMES)]


def build_site(rng: random.Random, name: str, domain: str) -> Site:
    sections = rng.sample(NAV_SECTIONS, k=rng.randint(12, len(NAV_SECTIONS)))
    return Site(name, domain, site_head(rng, domain), site_top(rng, name, domain, sections),
                site_sidebar(rng, domain), site_footer(rng, name, domain, sections),
                js_blob(rng), state_json=rng.random() < 0.6)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def site_head(rng: random.Random, domain: str) -> str:
    cdn = f"https://static.{domain}"
    build = "%08x" % rng.getrandbits(32)
    links = [f'<link rel="preconnect" href="https://{host}.{domain}">' for host in ("img", "static", "ads", "metrics")]
    links += [f'<link rel="stylesheet" href="{cdn}/css/{part}.{build}.css">' for part in ("core", "article", "print")]
    links += [f'<link rel="preload" as="font" href="{cdn}/fonts/{font}.woff2" crossorigin>'
              for font in ("serif-regular", "serif-bold", "sans-regular", "sans-medium")]
    scripts = [f'<script src="{cdn}/js/{name}.{build}.js" {mode}></script>'
               for name, mode in (("vendor", "defer"), ("main", "defer"), ("consent", "async"), ("ads", "async"),
                                  ("analytics", "async"), ("video-player", "defer"))]
    css = css_blob(rng)
    return "\n".join(links + scripts) + f"\n<style>{css}</style>\n"


def css_blob(rng: random.Random) -> str:
    rules = []
    for i in range(rng.randint(250, 600)):
        selector = rng.choice([".c-{0}", ".o-{0}__item", "#{0}", ".{0} > a", ".{0}:hover", "@media(min-width:{1}px){{.{0}"])
        body = ";".join(f"{rng.choice(['margin', 'padding', 'color', 'font-size', 'line-height', 'display', 'flex', 'gap'])}:"
                        f"{rng.choice(['0', '1rem', '#1a1a1a', '14px', '1.4', 'flex', 'none', 'auto', '8px 12px'])}"
                        for _ in range(rng.randint(2, 6)))
        rule = selector.format(f"{rng.choice(JS_WORDS)}{i}", rng.choice((600, 768, 1024, 1280))) + "{" + body + "}"
        rules.append(rule + ("}" if rule.startswith("@media") else ""))
    return "".join(rules)


def site_top(rng: random.Random, name: str, domain: str, sections: list[str]) -> str:
    cookie = ('<div id="cookie-banner" class="cookie-consent" role="dialog" aria-label="Cookie consent">'
              f'<p>We and our {rng.randint(80, 900)} partners use cookies and similar technologies to store and access '
              'information on your device, personalise content and ads, and measure audiences. You can accept all, '
              'reject all, or choose which purposes you allow.</p><button class="cc-accept">Accept all</button>'
              '<button class="cc-reject">Reject all</button><a href="/privacy/cookies">Manage preferences</a></div>')
    menu = []
    for section in sections:
        subs = "".join(f'<li><a href="/{slug(section)}/{slug(sub)}">{sub}</a></li>'
                       for sub in rng.sample(SUBMENU, k=rng.randint(3, 8)))
        menu.append(f'<li class="nav-item has-sub"><a href="/{slug(section)}">{html.escape(section)}</a>'
                    f'<ul class="nav-sub">{subs}</ul></li>')
    return (cookie + '<div class="ad-slot ad-leaderboard" id="ad-top" data-ad-unit="/2231/'
            f'{domain}/top" data-sizes="[[728,90],[970,250]]"><span class="ad-label">Advertisement</span></div>'
            f'<header class="site-header"><a class="logo" href="/"><svg viewBox="0 0 200 40" role="img" aria-label="{html.escape(name)}">'
            f'<title>{html.escape(name)}</title><path d="{svg_path(rng)}"/></svg></a>'
            '<button class="menu-toggle" aria-expanded="false">Menu</button>'
            '<form class="search" action="/search"><input name="q" placeholder="Search"></form>'
            '<a class="subscribe" href="/subscribe">Subscribe</a><a class="sign-in" href="/account">Sign in</a></header>'
            f'<nav class="main-nav" aria-label="Sections"><ul>{"".join(menu)}</ul></nav>')


def svg_path(rng: random.Random) -> str:
    return "M" + " L".join(f"{rng.randint(0, 200)} {rng.randint(0, 40)}" for _ in range(rng.randint(60, 160))) + " Z"


def site_sidebar(rng: random.Random, domain: str) -> str:
    return ('<section class="newsletter-signup"><h3>Get the morning briefing</h3><p>The day\'s essential stories, '
            'in your inbox before breakfast.</p><form action="/newsletters/subscribe"><input type="email" '
            'placeholder="Your email address"><button>Sign up</button></form><p class="small">By signing up you '
            'agree to our terms and privacy notice.</p></section>'
            f'<div class="ad-slot ad-mpu" id="ad-side" data-ad-unit="/2231/{domain}/side" data-sizes="[[300,250],[300,600]]">'
            '<span class="ad-label">Advertisement</span></div>'
            '<section class="social-follow"><h3>Follow us</h3><ul>'
            + "".join(f'<li><a href="https://{net}.example/{domain.split(".")[0]}">{net.title()}</a></li>'
                      for net in ("photogram", "chirp", "facetome", "vidtube", "linkline"))
            + "</ul></section>")


def site_footer(rng: random.Random, name: str, domain: str, sections: list[str]) -> str:
    columns = []
    for start in range(0, len(sections), 8):
        links = "".join(f'<li><a href="/{slug(s)}">{html.escape(s)}</a></li>' for s in sections[start:start + 8])
        columns.append(f'<ul class="footer-col">{links}</ul>')
    legal = "".join(f'<li><a href="/{slug(item)}">{item}</a></li>' for item in (
        "About us", "Contact", "Complaints", "Corrections", "Terms of use", "Privacy policy", "Cookie policy",
        "Accessibility", "Advertise with us", "Work for us", "Syndication", "Help"))
    return (f'<footer class="site-footer"><div class="footer-sections">{"".join(columns)}</div>'
            f'<ul class="footer-legal">{legal}</ul><p class="copyright">© {name} {rng.randint(1990, 2005)}-2025. '
            'All rights reserved. Registered in the register of companies. This site is protected by reCAPTCHA-style '
            'checks and the privacy policy applies.</p></footer>')


def js_blob(rng: random.Random) -> str:
    """Minified-looking script text, built once per site."""
    parts, size = [], 0
    while size < JS_BLOB_BYTES:
        a, b = rng.choice(JS_WORDS), rng.choice(JS_WORDS)
        n = rng.randint(0, 9999)
        part = rng.choice([
            f"function {a}{n}(e,t){{var n=e&&e.{b}||{{}};return t?n[t]:n}}",
            f"var {a}_{n}={{id:{n},{b}:!0,opts:[{rng.randint(1, 99)},{rng.randint(1, 99)}]}};",
            f"window.__{a}=window.__{a}||[];window.__{a}.push(['{b}',{n}]);",
            f"!function(){{try{{{a}{n}.{b}('{slug(a + ' ' + b)}')}}catch(e){{}}}}();",
            f"e.exports={{{a}:function(t){{return t.{b}*{n}}},{b}:\"{a}-{n}\"}};",
        ])
        parts.append(part)
        size += len(part)
    return "".join(parts)


# --------------------------------------------------------------------------
# Page: story + site chrome -> HTML
# --------------------------------------------------------------------------

def page_html(rng: random.Random, site: Site, story: Story, url: str, target_bytes: int) -> str:
    head = page_head(site, story, url)
    article = article_html(rng, site, story)
    lists = teaser_lists(rng, story)
    body = (f"<body class=\"article-page section-{slug(story.section)}\">{site.body_top}"
            f"<main id=\"main\"><div class=\"layout\">{article}<aside class=\"sidebar\">{lists[1]}"
            f"{site.sidebar_static}</aside></div>{lists[0]}</main>{site.footer}")
    tail = page_scripts(site, story, url)
    page = f"<!DOCTYPE html>\n<html lang=\"en\"><head>{head}</head>{body}{tail}"
    pad = target_bytes - len(page) - 40
    if pad > 0:
        start = rng.randrange(len(site.js_blob) - min(pad, len(site.js_blob) - 1))
        page += f"<script>{site.js_blob[start:start + pad]}</script>"
    return page + "</body></html>\n"


def page_head(site: Site, story: Story, url: str) -> str:
    title = html.escape(story.headline)
    published = story.published.isoformat()
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": story.headline,
          "description": story.standfirst, "datePublished": published, "dateModified": published,
          "author": [{"@type": "Person", "name": story.author}], "articleSection": story.section,
          "keywords": story.keywords, "mainEntityOfPage": url,
          "image": [f"https://img.{site.domain}/{slug(story.headline)}/1200x675.jpg"],
          "publisher": {"@type": "Organization", "name": site.name,
                        "logo": {"@type": "ImageObject", "url": f"https://static.{site.domain}/logo.png"}}}
    crumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "name": "Home", "item": f"https://www.{site.domain}/"},
        {"@type": "ListItem", "position": 2, "name": story.section,
         "item": f"https://www.{site.domain}/{slug(story.section)}"}]}
    return (f'<meta charset="utf-8"><title>{title} | {html.escape(site.name)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="description" content="{html.escape(story.standfirst)}">'
            f'<link rel="canonical" href="{url}"><meta property="og:type" content="article">'
            f'<meta property="og:title" content="{title}"><meta property="og:url" content="{url}">'
            f'<meta property="og:site_name" content="{html.escape(site.name)}">'
            f'<meta property="article:published_time" content="{published}">'
            f'<meta property="article:section" content="{html.escape(story.section)}">'
            f'<meta name="twitter:card" content="summary_large_image"><meta name="author" content="{html.escape(story.author)}">'
            f'{site.head_static}'
            f'<script type="application/ld+json">{json.dumps(ld)}</script>'
            f'<script type="application/ld+json">{json.dumps(crumbs)}</script>'
            '<script>window.dataLayer=window.dataLayer||[];dataLayer.push('
            + json.dumps({"pageType": "article", "section": story.section, "wordCount": story.words,
                          "published": published, "paywall": "metered"}) + ");</script>")


def article_html(rng: random.Random, site: Site, story: Story) -> str:
    paras = []
    for i, text in enumerate(story.paragraphs):
        paras.append(f"<p>{html.escape(text)}</p>")
        if i and i % rng.randint(3, 5) == 0:
            paras.append(f'<div class="ad-slot ad-inarticle" id="ad-in-{i}" data-ad-unit="/2231/{site.domain}/in-article">'
                         '<span class="ad-label">Advertisement</span></div>')
    when = story.published.strftime("%d %B %Y, %H:%M")
    tags = "".join(f'<li><a href="/topic/{slug(k)}">{html.escape(k)}</a></li>' for k in story.keywords)
    return (f'<article class="story"><nav class="breadcrumb"><a href="/">Home</a> › '
            f'<a href="/{slug(story.section)}">{html.escape(story.section)}</a></nav>'
            f'<h1 class="headline">{html.escape(story.headline)}</h1>'
            f'<p class="standfirst">{html.escape(story.standfirst)}</p>'
            f'<div class="byline">By <a rel="author" href="/profile/{slug(story.author)}">{html.escape(story.author)}</a>'
            f' <time datetime="{story.published.isoformat()}">{when}</time></div>'
            '<div class="share"><button>Share</button><a href="#comments">Comments</a><button>Save</button></div>'
            f'<figure class="lead-image"><img src="https://img.{site.domain}/{slug(story.headline)}/800x450.jpg" '
            f'alt="" width="800" height="450" loading="eager"><figcaption>{html.escape(story.caption)}</figcaption></figure>'
            f'<div class="article-body">{"".join(paras)}</div>'
            f'<ul class="tags">{tags}</ul><section id="comments" class="comments"><h2>Comments</h2>'
            '<p>Comments are open to subscribers. Please keep the conversation civil.</p></section></article>')


def teaser_lists(rng: random.Random, story: Story) -> tuple[str, str]:
    """"More on this story" (the story's own topic) and "Most read" (the whole site's mix)."""
    def card(headline: str) -> str:
        return (f'<li class="teaser"><a href="/{slug(headline)}"><img src="/thumb/{slug(headline)[:30]}.jpg" alt="">'
                f'<h3>{html.escape(headline)}</h3></a></li>')
    topic = "launch" if story.kind == "launch" else story.topic
    related = "".join(card(teaser_headline(rng, topic)) for _ in range(rng.randint(*RELATED_TEASERS)))
    most_read = "".join(f'<li><span class="rank">{i + 1}</span><a href="/{slug(h)}">{html.escape(h)}</a></li>'
                        for i, h in enumerate(teaser_headline(rng) for _ in range(MOST_READ_TEASERS)))
    return (f'<section class="related"><h2>More on this story</h2><ul>{related}</ul></section>',
            f'<section class="most-read"><h2>Most read</h2><ol>{most_read}</ol></section>')


def page_scripts(site: Site, story: Story, url: str) -> str:
    out = (f'<script>window.adConfig={{"site":"{site.domain}","section":"{slug(story.section)}",'
           '"slots":["ad-top","ad-side","ad-in-3","ad-in-6"],"refresh":30,"lazy":true};</script>'
           f'<script async src="https://ads.{site.domain}/tag.js"></script>')
    if site.state_json:   # like Next.js __NEXT_DATA__: the article again, as JSON
        state = {"props": {"pageProps": {"url": url, "headline": story.headline,
                                         "body": [{"type": "paragraph", "text": p} for p in story.paragraphs]}}}
        out += f'<script id="__APP_STATE__" type="application/json">{json.dumps(state)}</script>'
    return out


# --------------------------------------------------------------------------
# One document, one chunk, the archive
# --------------------------------------------------------------------------

def make_document(seed: int, index: int, sites: list[Site]) -> tuple[dict, bytes]:
    rng = random.Random(f"{seed}:{index}")
    block = random.Random(f"{seed}:block:{index // LAUNCH_EVERY}").randrange(LAUNCH_EVERY)
    story = launch_story(rng) if index % LAUNCH_EVERY == block else news_story(rng)
    story.words = sum(p.count(" ") + 1 for p in story.paragraphs)
    site = sites[rng.randrange(len(sites))]
    when = story.published
    url = (f"https://www.{site.domain}/{slug(story.section)}/{when:%Y/%m/%d}/"
           f"{slug(story.headline)}-{index}")
    target = int(rng.triangular(PAGE_KB[0], PAGE_KB[2], PAGE_KB[1]) * 1024)
    data = page_html(rng, site, story, url, target).encode("utf-8")
    entry = {"index": index, "id": f"doc-{index:07d}", "url": url, "kind": story.kind, "topic": story.topic,
             "actor": story.actor, "system": story.system, "published": when.date().isoformat(),
             "site": site.domain, "bytes": len(data), "words": story.words}
    return entry, data


class GzipMember:
    """A file-like wrapper that gzips what warcio writes into one member per record (level GZIP_LEVEL)."""

    def __init__(self, out, level: int):
        self.out, self.compressor = out, zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())


class LevelWARCWriter(WARCWriter):
    """warcio's WARCWriter with a chosen gzip level (warcio hard-codes 9)."""

    def __init__(self, filebuf, level: int):
        super().__init__(filebuf, gzip=False)
        self.level = level

    def write_record(self, record, params=None):
        self._write_warc_record(GzipMember(self.out, self.level), record)


def record_id(seed: int, index: int) -> str:
    return f"<urn:uuid:{uuid.UUID(bytes=hashlib.sha1(f'{seed}:{index}'.encode()).digest()[:16])}>"


def write_warc_record(writer: WARCWriter, seed: int, entry: dict, data: bytes) -> None:
    fetched = datetime.fromisoformat(entry["published"]) + timedelta(days=1, seconds=entry["index"] % 86400)
    http_headers = StatusAndHeaders("200 OK", [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data))),
        ("Date", fetched.strftime("%a, %d %b %Y %H:%M:%S GMT")), ("Server", "nginx"),
        ("Cache-Control", "max-age=60"), ("X-Cache", "HIT"), ("Vary", "Accept-Encoding")], protocol="HTTP/1.1")
    record = writer.create_warc_record(entry["url"], "response", payload=BytesIO(data), length=len(data),
                                       http_headers=http_headers, warc_headers_dict={
                                           "WARC-Record-ID": record_id(seed, entry["index"]),
                                           "WARC-Date": fetched.strftime("%Y-%m-%dT%H:%M:%SZ")})
    writer.write_record(record)


_SITES: list[Site] = []


def write_chunk(job: tuple) -> list[dict]:
    """Documents [start, stop) into html/CCCCC/ and warc/archive-CCCCC.warc.gz; returns their index entries."""
    out, seed, chunk, start, stop, formats, level = job
    global _SITES
    if not _SITES:
        _SITES = build_sites(seed)
    entries = []
    html_dir = out / "html" / f"{chunk:05d}"
    warc_file = None
    if "html" in formats:
        html_dir.mkdir(parents=True, exist_ok=True)
    if "warc" in formats:
        warc_file = open(out / "warc" / f"archive-{chunk:05d}.warc.gz", "wb")
        writer = LevelWARCWriter(warc_file, level)
        info = writer.create_warcinfo_record(f"archive-{chunk:05d}.warc.gz", {
            "software": "launchwatch benchmarks/make_archive.py", "format": "WARC File Format 1.1",
            "description": f"synthetic news archive, seed {seed}, documents {start}-{stop - 1}"})
        info.rec_headers.replace_header("WARC-Record-ID", record_id(seed, -1 - chunk))
        info.rec_headers.replace_header("WARC-Date", "2025-01-01T00:00:00Z")
        writer.write_record(info)
    try:
        for index in range(start, stop):
            entry, data = make_document(seed, index, _SITES)
            if "html" in formats:
                path = html_dir / f"{index:07d}.html"
                path.write_bytes(data)
                entry["html"] = str(path.relative_to(out))
            if warc_file:
                write_warc_record(writer, seed, entry, data)
                entry["warc"] = f"warc/archive-{chunk:05d}.warc.gz"
            entry["mentions_missile"] = b"missile" in data.lower()
            entries.append(entry)
    finally:
        if warc_file:
            warc_file.close()
    return entries


def summarise(entries: list[dict], seconds: float) -> dict:
    news = [e for e in entries if e["kind"] == "news"]
    sizes = sorted(e["bytes"] for e in entries)
    return {"documents": len(entries), "launch_reports": len(entries) - len(news),
            "news_pages_mentioning_missile": sum(e["mentions_missile"] for e in news),
            "bytes": sum(sizes), "bytes_min": sizes[0], "bytes_median": sizes[len(sizes) // 2],
            "bytes_max": sizes[-1], "words_mean": round(sum(e["words"] for e in entries) / len(entries)),
            "seconds": round(seconds, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder (created)")
    parser.add_argument("--n", type=int, default=1000, help="documents (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--formats", default="html,warc", help="comma-separated: html, warc (default both)")
    parser.add_argument("--per-warc", type=int, default=1000, help="records per WARC file (default 1000)")
    parser.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    parser.add_argument("--gzip-level", type=int, default=GZIP_LEVEL, help=f"WARC gzip level (default {GZIP_LEVEL})")
    args = parser.parse_args(argv)
    formats = {f.strip() for f in args.formats.split(",") if f.strip()}
    if not formats or formats - {"html", "warc"}:
        parser.error("--formats takes html, warc or both")
    if args.n < 1 or args.per_warc < 1 or args.jobs < 1:
        parser.error("--n, --per-warc and --jobs must be at least 1")
    args.out.mkdir(parents=True, exist_ok=True)
    if "warc" in formats:
        (args.out / "warc").mkdir(exist_ok=True)
    jobs = [(args.out, args.seed, chunk, start, min(start + args.per_warc, args.n), formats, args.gzip_level)
            for chunk, start in enumerate(range(0, args.n, args.per_warc))]
    began = time.perf_counter()
    entries: list[dict] = []
    with open(args.out / "index.jsonl", "w", encoding="utf-8") as index:
        chunks = map(write_chunk, jobs) if args.jobs == 1 else \
            multiprocessing.Pool(args.jobs).imap(write_chunk, jobs)
        for chunk_entries in chunks:
            for entry in chunk_entries:
                index.write(json.dumps(entry) + "\n")
            entries.extend({k: e[k] for k in ("kind", "bytes", "words", "mentions_missile")} for e in chunk_entries)
            print(f"\r{len(entries):,} / {args.n:,} documents", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    summary = summarise(entries, time.perf_counter() - began)
    (args.out / "summary.json").write_text(json.dumps({**summary, "seed": args.seed,
                                                       "formats": sorted(formats)}, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
