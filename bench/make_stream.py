"""Generate the benchmark stream: JSON Lines of article.v1 records, deterministic (seeded).

python bench/make_stream.py OUT.jsonl [--articles 3500] [--seed 7]

The mix (defaults, 3,500 articles):

- 1 in 7 (500) **eventful**: the development articles that hold at least one event
  (`tests/fixtures/corpus/*.jsonl`, 72 of them, 212-430 words), each used about seven
  times; copy k gets a new id and its publication time moved k weeks on (whole weeks keep
  every weekday where it was), so most copies report a new event rather than the same one.
- 3 % (105) **political news without an event**: the development articles annotated with
  no event (meetings at home, phone calls, cancelled and hypothetical trips, sanctions
  imposed but not broken). They name leaders, countries and travel words, so the first
  pass sends them on to the full pipeline: the firehose's hard negatives.
- the rest (2,895) **ordinary news** from the templates below, evenly across sport,
  markets, weather, science, local politics and culture, 100-800 words each (uniform).
  As real news does, they name countries and capitals ("fans arrived in Madrid"), use
  "visit", "talks", "tour", "summit", "president", "premier", "measures", "ban",
  "export", "oil"... ("visitors flocked to the museum", "trade talks between the two
  companies", "the club's president", "the English Premier League", "export controls on
  chips"); about 1 in 16 also quotes a real head of state or government ("Prime Minister
  Keir Starmer congratulated the team") and so is parsed in full too. None reports a
  leader's visit or a sanctions allegation.

Nothing here is copied from any outlet: the templates were written for the project.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
EVENTFUL_SHARE = 1 / 7
POLITICAL_SHARE = 0.03
LEADER_QUOTE_SHARE = 1 / 16
TOPICS = ("sport", "markets", "weather", "science", "local", "culture")

CITIES = (
    "Madrid Paris Tokyo Nairobi Lisbon Rome Berlin Vienna Oslo Stockholm Helsinki Dublin "
    "Warsaw Prague Budapest Athens Cairo Lagos Accra Dakar Lima Bogota Santiago Quito Seoul "
    "Manila Jakarta Hanoi Bangkok Canberra Wellington Ottawa Toronto Chicago Sydney Milan "
    "Munich Barcelona Lyon Osaka Manchester Geneva Venice Cannes Istanbul Mumbai"
).split()
LOCAL_PLACES = (
    "Northfield Eastbrook Millbrook Ashford Riverton Kingsley Harwick Oakdale Brampton "
    "Westmere Stonebridge Fairhaven Lowther Greyston Elmford Caldwell"
).split()
COUNTRIES = (
    "Spain France Japan Kenya Portugal Italy Germany Austria Norway Sweden Finland Ireland "
    "Poland Brazil Argentina Mexico Canada Australia Chile Peru Colombia Morocco Nigeria "
    "Ghana Senegal Egypt India Indonesia Vietnam Thailand"
).split()
DEMONYMS = (
    "Spanish French Japanese Kenyan Portuguese Italian German Austrian Norwegian Swedish "
    "Irish Polish Brazilian Argentine Mexican Canadian Australian Chilean Dutch Belgian"
).split()
FIRST = (
    "Tom Marta Lena Kofi Aiko Pedro Ines Sven Olga Rafael Nadia Ivan Chloe Musa Hana Luca "
    "Priya Diego Ingrid Yusuf Elena Samir Freya Mateo Amara Jonas Leila Oscar Zainab Felix"
).split()
LAST = (
    "Hadley Sousa Okafor Lindqvist Tanaka Moreau Brennan Kowalski Rossi Mensah Novak "
    "Haugen Castell Duarte Whitlock Ferreira Abara Petrov Lund Keane Marsh Calder Nakamura "
    "Okoye Varga Delaney Strand Quint Mercer Albright"
).split()
TEAMS = (
    "Northfield Rovers|Harbour City|Eastbrook United|Riverton Athletic|Kingsley Town|"
    "Oakdale Wanderers|Millbrook Rangers|Westmere Albion|Stonebridge FC|Caldwell Celtic|"
    "Fairhaven Dynamos|Greyston Harriers"
).split("|")
COMPANIES = (
    "Altamira Holdings|Kestrel Foods|Northwind Energy|Bluefin Logistics|Corvid Systems|"
    "Meridian Pharma|Halcyon Motors|Ironbark Mining|Solace Retail|Vantage Telecom|"
    "Lumen Chips|Crestline Bank|Orion Shipping|Tidewater Airlines"
).split("|")
INSTITUTIONS = (
    "the University of Northfield|the Eastbrook Institute of Technology|"
    "the Riverton Marine Laboratory|the National Observatory|the Kingsley Medical School|"
    "the Institute for Climate Studies"
).split("|")
VENUES = (
    "the city museum|the national gallery|the old opera house|the riverside theatre|"
    "the modern art centre|the botanical garden|the concert hall|the science museum"
).split("|")
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = "January February March April May June July August September October November".split()
#: Heads of state and government in the gazetteer, quoted in about 1 in 16 ordinary articles.
LEADERS = (
    "Prime Minister Keir Starmer|President Emmanuel Macron|Chancellor Olaf Scholz|"
    "Prime Minister Pedro Sánchez|President Luiz Inácio Lula da Silva|"
    "Prime Minister Giorgia Meloni|"
    "President William Ruto|Prime Minister Anthony Albanese|Prime Minister Mark Carney|"
    "President Claudia Sheinbaum|Prime Minister Narendra Modi|President Cyril Ramaphosa"
).split("|")

SPORT = [
    "{team} beat {team2} {n1}-{n2} on {weekday} to move top of the table.",
    "{person} scored twice in the second half as {team} came from behind.",
    "The team travelled to {city} for the away leg of the quarter-final.",
    "Fans from {country} arrived in {city} on {weekday} ahead of the final.",
    "{team} will visit {city} next month for a pre-season tour.",
    "The coach said the squad had held talks about the new contract.",
    "Thousands of visitors are expected at the stadium for the derby.",
    "{person}, who joined from a {demonym} club last summer, was named man of the match.",
    "The club's president, {person}, said the budget for new players was sound.",
    "The English Premier League side confirmed the transfer fee on {weekday}.",
    "A crowd of {big} watched the match under floodlights.",
    "The {demonym} striker missed a penalty in the {n1}th minute.",
    "{team2} have now lost {n1} of their last {n2} games.",
    "Injuries to two defenders forced the manager to change his back line.",
    "The league said it would review the referee's decision.",
    "Tickets for the cup final in {city} sold out within an hour.",
    "The women's team returned from a training camp in {country} on {weekday}.",
    "{person} said the players had come back stronger after the break.",
    "The board met on {weekday} to discuss plans for a new stand.",
    "The tournament will be held in {country} and {country2} next summer.",
    "{person} finished third in the marathon in {city}, behind two runners from {country}.",
    "The cycling tour reaches the mountains on {weekday}, where the leaders should attack.",
    "Officials said the ban on pyrotechnics inside the ground would stay in place.",
    "Broadcast rights for the next three seasons were sold to a streaming service.",
    "The away fans were kept behind after the final whistle for safety reasons.",
    "The goalkeeper made {n1} saves to keep a clean sheet.",
    "A late equaliser from {person} rescued a point for {team}.",
    "The academy graduate signed his first professional contract on {weekday}.",
]
MARKETS = [
    "Shares in {company} rose {pct} percent on {weekday} after quarterly profits beat forecasts.",
    "Trade talks between {company} and {company2} resumed in {city} this week.",
    "Oil prices fell as traders weighed weaker demand from {country}.",
    "The central bank said inflation had eased to {pct} percent in {month}.",
    "Analysts said the company could buy back more shares later this year.",
    "Chipmakers slipped after new export controls on advanced semiconductors were announced.",
    "{company} said it would sell its {demonym} unit to a private equity firm.",
    "The currency weakened against the dollar for a third straight session.",
    "Bond yields climbed as investors priced in another rate rise.",
    "{company} plans to ship more equipment to its factories in {country}.",
    "The airline said bookings for the summer were running ahead of last year.",
    "The merger still needs approval from competition regulators in {country}.",
    "Coffee futures hit a two-year high after poor harvests.",
    "{person}, chief executive of {company}, said the measures would cut costs by {pct} percent.",
    "Exports of machinery to {country} rose {pct} percent from a year earlier.",
    "The index closed {pct} percent higher, led by banks and energy stocks.",
    "Retail sales were flat in {month}, the statistics office said.",
    "The company's president told investors the outlook remained uncertain.",
    "A ban on short selling of bank shares was lifted on {weekday}.",
    "{company} agreed to supply fuel to the airline under a five-year deal.",
    "Investors visited the new plant outside {city} during a site tour.",
    "The price cap on household energy bills will be reviewed in {month}.",
    "Gold edged higher as the dollar slipped.",
    "Freight rates between {country} and {country2} doubled over the quarter.",
    "The regulator fined {company} for breaching reporting rules.",
    "Wheat prices rose after drought hit crops in {country}.",
    "Mortgage approvals fell for the {n1}th month in a row.",
]
WEATHER = [
    "Heavy rain is forecast for {city} on {weekday}, with up to {n1}0 millimetres in places.",
    "Visitors flocked to the beaches as temperatures reached {n2}{n1} degrees.",
    "A heatwave in {country} pushed electricity demand to a record.",
    "Forecasters warned of strong winds along the coast overnight.",
    "Snow closed mountain roads north of {city} for a second day.",
    "The storm is expected to head east and weaken over the weekend.",
    "Farmers said the dry spell had come at the worst possible time.",
    "Flights from {city} were delayed after fog settled over the airport.",
    "The weather service issued a yellow warning for thunderstorms.",
    "Temperatures will return to normal for the time of year by {weekday}.",
    "Tourists were told to stay away from the cliffs during high tides.",
    "{month} was the wettest on record in parts of {country}, the met office said.",
    "A hosepipe ban will come into force in {local} next week.",
    "Emergency crews cleared fallen trees from the main road into {local}.",
    "Residents in {local} were urged to take measures against flooding.",
    "The cold snap is set to continue well into next week.",
    "Pollen levels are high across the region, the health service said.",
    "Sea temperatures off {country} are two degrees above average.",
    "The river burst its banks in {local} after days of rain.",
    "A tornado touched down near {local} but caused only minor damage.",
    "Ski resorts in {country} reported the best snow in a decade.",
    "Wildfire risk remains very high in the south, officials said.",
]
SCIENCE = [
    "Researchers from {country} and {country2} have mapped the genome of a rare orchid.",
    "A team at {institution} said the new battery could charge in minutes.",
    "The space agency will launch the probe from {city} in {month}.",
    "Scientists visited the glacier to measure how fast it is retreating.",
    "The study, published on {weekday}, followed {big} patients for ten years.",
    "{person}, who led the research, said the results were encouraging.",
    "The telescope captured images of a galaxy {n1} billion light years away.",
    "Engineers held talks with suppliers about parts for the new reactor design.",
    "The vaccine trial will recruit volunteers in {city} and {city2}.",
    "Fossils found in {country} suggest the species lived in warmer waters.",
    "The robot can sort recycling faster than a human worker.",
    "A delegation of scientists toured the laboratory in {city} last week.",
    "The drug reduced symptoms in {pct} percent of those who took it.",
    "Students built a small satellite that will orbit for two years.",
    "The expedition returned from the Arctic with ice cores dating back {big} years.",
    "Funding for the project was approved by the research council.",
    "The conference in {city} brought together {n1}00 climate researchers.",
    "Bees exposed to the pesticide were less able to find their way home.",
    "{institution} said it would share its data with labs around the world.",
    "The new microscope lets scientists watch proteins fold in real time.",
    "The results still need to be confirmed by larger studies.",
    "A ban on the chemical came into effect in {month}, and levels in rivers have since fallen.",
]
LOCAL = [
    "The council voted {n1} to {n2} on {weekday} to approve the new housing plan.",
    "{person}, the mayor of {local}, said the budget would protect libraries.",
    "Residents met councillors to discuss plans for a bypass around {local}.",
    "The local elections will be held in {month}, the electoral office confirmed.",
    "Talks between the council and bus drivers broke down on {weekday}.",
    "The governor visited the flooded streets of {local} and promised help.",
    "A new school will open in {local} in September.",
    "The council's president said the measures were needed to balance the books.",
    "Opposition councillors accused the leadership of hiding the cost of the project.",
    "Parking charges in the town centre will rise from {month}.",
    "The planning committee rejected a bid to build a supermarket on the green belt.",
    "{person} won the by-election with {pct} percent of the vote.",
    "The hospital trust said waiting times had fallen for the first time in a year.",
    "Volunteers collected {big} signatures against the closure of the swimming pool.",
    "A delegation from the twin town of {city} will visit {local} in {month}.",
    "Police said they would hold a public meeting about antisocial behaviour.",
    "The ban on heavy lorries in the old town will be extended.",
    "The mayor travelled to {city} to learn how the city runs its trams.",
    "Councillors from {local} and {local2} held talks on sharing services.",
    "The regional premier is expected to announce new road funding on {weekday}.",
    "Bin collections will move to fortnightly from the start of {month}.",
    "The council said it had received {big} responses to its consultation.",
]
CULTURE = [
    "Visitors flocked to {venue} for the opening of the new exhibition.",
    "The band will tour {country} and {country2} next spring.",
    "{person}'s new novel tells the story of a family in {city} over three generations.",
    "The film, which premiered in {city}, won the audience award.",
    "The orchestra returned from a sold-out tour of {country} on {weekday}.",
    "Critics praised the production's set design and lighting.",
    "The festival in {city} expects {big} visitors over five days.",
    "{person} said she had held talks with the studio about a sequel.",
    "The gallery's director said the museum would stay open late on {weekday}s.",
    "A rare painting by a {demonym} master sold for {n1} million at auction.",
    "The singer arrived in {city} on {weekday} to rehearse for the show.",
    "The documentary follows {person} on a journey across {country}.",
    "Tickets for the summer concerts go on sale on {weekday}.",
    "The theatre company will visit {local} as part of its regional tour.",
    "The exhibition brings together {n1}0 works lent by museums in {country}.",
    "{person} was named the winner of this year's poetry prize.",
    "The queen of the local jazz scene, {person}, celebrated her eightieth birthday.",
    "The library will host readings by {n1} authors in {month}.",
    "A delegation of curators from {city} toured the archive.",
    "The album went straight to number one in {country}.",
    "The new season opens with a version of a classic {demonym} opera.",
    "Organisers said the ban on photography inside the hall would be lifted.",
]
POOLS = {
    "sport": SPORT,
    "markets": MARKETS,
    "weather": WEATHER,
    "science": SCIENCE,
    "local": LOCAL,
    "culture": CULTURE,
}
TITLES = {
    "sport": "{team} edge {team2} in {city}",
    "markets": "{company} shares move as markets weigh {country} data",
    "weather": "Weather: rain and wind for {local}",
    "science": "{institution} team reports new findings",
    "local": "{local} council backs new plan",
    "culture": "New season opens at {venue}",
}
LEADER_QUOTES = [
    "{leader} congratulated the team on social media.",
    "{leader} was among the guests at the opening night.",
    "{leader} said on {weekday} that the figures were encouraging.",
    "{leader} praised the volunteers who helped after the storm.",
]


def fill(template: str, rng: random.Random) -> str:
    values = {
        "team": rng.choice(TEAMS),
        "team2": rng.choice(TEAMS),
        "company": rng.choice(COMPANIES),
        "company2": rng.choice(COMPANIES),
        "city": rng.choice(CITIES),
        "city2": rng.choice(CITIES),
        "local": rng.choice(LOCAL_PLACES),
        "local2": rng.choice(LOCAL_PLACES),
        "country": rng.choice(COUNTRIES),
        "country2": rng.choice(COUNTRIES),
        "demonym": rng.choice(DEMONYMS),
        "person": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "institution": rng.choice(INSTITUTIONS),
        "venue": rng.choice(VENUES),
        "weekday": rng.choice(WEEKDAYS),
        "month": rng.choice(MONTHS),
        "leader": rng.choice(LEADERS),
        "n1": rng.randint(1, 9),
        "n2": rng.randint(1, 9),
        "pct": rng.randint(1, 19),
        "big": f"{rng.randint(2, 90)},{rng.randint(0, 999):03d}",
    }
    text = template.format(**values)
    return text[0].upper() + text[1:]


def ordinary(n: int, topic: str, rng: random.Random, start: datetime) -> dict:
    pool = POOLS[topic]
    target = rng.randint(100, 800)
    sentences: list[str] = []
    words = 0
    quote_at = rng.randrange(3, 8) if rng.random() < LEADER_QUOTE_SHARE else -1
    while words < target:
        if len(sentences) == quote_at:
            sentence = fill(rng.choice(LEADER_QUOTES), rng)
        else:
            sentence = fill(rng.choice(pool), rng)
        sentences.append(sentence)
        words += len(sentence.split())
    paragraphs, k = [], 0
    while k < len(sentences):
        size = rng.randint(2, 4)
        paragraphs.append(" ".join(sentences[k : k + size]))
        k += size
    published = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
    return {
        "id": f"bench-{topic}-{n:05d}",
        "title": fill(TITLES[topic], rng),
        "source": "newsmon-bench",
        "url": f"https://example.org/bench/{topic}/{n:05d}",
        "published_at": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "language": "en",
        "text": "\n".join(paragraphs),
    }


def corpus_articles(corpus: Path) -> tuple[list[dict], list[dict]]:
    """(articles with events, articles without), from the annotated development corpus."""
    eventful, quiet = [], []
    for path in sorted(corpus.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                (eventful if row["events"] else quiet).append(row["article"])
    return eventful, quiet


def copy(article: dict, kind: str, n: int, week: int) -> dict:
    out = dict(article)
    out["id"] = f"bench-{kind}-{n:05d}"
    out["url"] = f"https://example.org/bench/{kind}/{n:05d}"
    out["source"] = "newsmon-bench"
    published = datetime.fromisoformat(article["published_at"].replace("Z", "+00:00"))
    out["published_at"] = (published + timedelta(weeks=week)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def generate(total: int = 3500, seed: int = 7, corpus: Path = CORPUS) -> list[dict]:
    """The stream: `total` article records in a seeded random order."""
    rng = random.Random(seed)
    eventful, quiet = corpus_articles(corpus)
    n_eventful = round(total * EVENTFUL_SHARE)
    n_political = round(total * POLITICAL_SHARE)
    out = [
        copy(eventful[k % len(eventful)], "event", k, k // len(eventful)) for k in range(n_eventful)
    ]
    out += [
        copy(quiet[k % len(quiet)], "political", k, k // len(quiet)) for k in range(n_political)
    ]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for k in range(total - n_eventful - n_political):
        out.append(ordinary(k, TOPICS[k % len(TOPICS)], rng, start))
    rng.shuffle(out)
    return out


def kind_of(record: dict) -> str:
    """'event', 'political' or the topic of an ordinary article, from its id."""
    return record["id"].split("-")[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="JSON Lines file to write ('-' for stdout)")
    parser.add_argument("--articles", type=int, default=3500, help="stream size (default 3500)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    records = generate(args.articles, args.seed)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if str(args.out) == "-":
        sys.stdout.write(lines)
    else:
        args.out.write_text(lines, encoding="utf-8")
    kinds = Counter(kind_of(r) for r in records)
    words = sum(len(r["text"].split()) for r in records)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    print(f"{len(records)} articles ({summary}), {words} words", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
