"""Arrivals at a summit told as lists or with no place, wire datelines as the scene,
tours that "take" a leader on, and meetings "between" two leaders some time ago: who
visits where, and when. Sentences written for the project."""

from __future__ import annotations

import pytest

from streams.articles import Article
from streams.extract.furniture import readable

CASES = [
    (
        "2019-06-28",
        "OSAKA - Among those who reached Osaka on Thursday were Canadian Prime Minister "
        "Justin Trudeau, Turkish President Recep Tayyip Erdogan and Indian Prime Minister "
        "Narendra Modi, the organisers said.",
        {("CAN", "JPN", "ongoing"), ("TUR", "JPN", "ongoing"), ("IND", "JPN", "ongoing")},
    ),
    (
        "2019-06-28",
        "OSAKA - French President Emmanuel Macron and Brazilian President Jair Bolsonaro "
        "were among the leaders who arrived in Osaka on Thursday for the G20 summit.",
        {("FRA", "JPN", "ongoing"), ("BRA", "JPN", "ongoing")},
    ),
    (
        "2019-11-02",
        "BANGKOK - Other leaders such as Vietnamese Prime Minister Nguyen Xuan Phuc and "
        "Indonesian President Joko Widodo arrived in the country for the ASEAN summit.",
        {("VNM", "THA", "ongoing"), ("IDN", "THA", "ongoing")},
    ),
    (
        "2019-06-28",
        "OSAKA - Delegations filled the hotels of the port city. Chinese President Xi "
        "Jinping and Russian President Vladimir Putin arrived late on Thursday.",
        {("CHN", "JPN", "ongoing"), ("RUS", "JPN", "ongoing")},
    ),
    (
        "2019-11-02",
        "BANGKOK - Prime Minister Lee Hsien Loong arrived here on Saturday to attend the "
        "ASEAN summit, which opens on Sunday.",
        {("SGP", "THA", "ongoing")},
    ),
    (
        "2019-06-27",
        "OSAKA - US President Donald Trump is likely to reach Osaka late on Thursday, while "
        "Australian Prime Minister Scott Morrison landed in the city in the morning.",
        {("USA", "JPN", "planned"), ("AUS", "JPN", "ongoing")},
    ),
    (
        "2016-07-04",
        "NAIROBI - Israeli Prime Minister Benjamin Netanyahu arrived in Uganda on Monday at "
        "the start of a tour that will also take him to Kenya and Rwanda.",
        {("ISR", "UGA", "ongoing"), ("ISR", "KEN", "planned"), ("ISR", "RWA", "planned")},
    ),
    (
        "2016-07-04",
        "DOHA - The envoy is on a regional tour that will take him next to Kenya.",
        set(),
    ),
    (
        "2018-09-18",
        "PYONGYANG - Moon Jae-in arrived in Pyongyang on Tuesday. The visit comes five months "
        "after a summit in South Korea between Moon and Kim Jong Un ended with a joint pledge.",
        {("KOR", "PRK", "ongoing"), ("PRK", "KOR", "past")},
    ),
    (
        "2015-05-15",
        "BEIJING - Indian Prime Minister Narendra Modi returned to New Delhi on Friday "
        "after state visits to Mongolia and South Korea.",
        {("IND", "MNG", "past"), ("IND", "KOR", "past")},
    ),
    (
        "2023-05-10",
        "RZESZOW - Ukrainian President Volodymyr Zelensky crossed into Poland before dawn "
        "on his way to the summit, officials said.",
        set(),
    ),
    (
        "2024-07-03",
        "ASTANA - Chinese President Xi Jinping arrived in Astana on Tuesday for the summit "
        "of the Shanghai Cooperation Organisation.",
        {("CHN", "KAZ", "ongoing")},
    ),
    (
        "2019-04-26",
        "SEOUL - North Korean leader Kim Jong Un is on a visit to Russia that began on "
        "Wednesday, officials in Seoul said.",
        {("PRK", "RUS", "ongoing")},
    ),
    (
        "2019-04-27",
        "SEOUL - North Korean leader Kim Jong Un ended a visit to Russia that began on Wednesday.",
        {("PRK", "RUS", "past")},
    ),
    (
        "2018-04-27",
        "BEIJING - Indian Prime Minister Narendra Modi arrived in Wuhan on Friday. The two "
        "sides agreed on the meeting during a visit by Chinese President Xi Jinping to New "
        "Delhi in 2014.",
        {("IND", "CHN", "ongoing"), ("CHN", "IND", "past")},
    ),
    (
        "2018-04-27",
        "BEIJING - Indian Prime Minister Narendra Modi arrived in Wuhan on Friday. Chinese "
        "President Xi Jinping extended the invitation during a visit to India in 2014.",
        {("IND", "CHN", "ongoing"), ("CHN", "IND", "past")},
    ),
    (
        "2023-07-11",
        "VILNIUS - Allies argued over the wording on membership, with President Volodymyr "
        "Zelensky expected to attend the summit in Vilnius in person on Wednesday.",
        {("UKR", "LTU", "planned")},
    ),
    (
        "2018-05-08",
        "PORT OF SPAIN - Prime Minister Dr Keith Rowley will pay an official visit to China "
        "on May 14, his office said.",
        {("TTO", "CHN", "planned")},
    ),
    # arrivals told with no place at a summit: the place is the summit's
    (
        "2024-10-22",
        "KAZAN - BRICS leaders gathered in the Volga city on Tuesday for their annual "
        "summit. Chinese President Xi Jinping landed on Tuesday morning. Indian Prime "
        "Minister Narendra Modi is due later on Tuesday, and South African President "
        "Cyril Ramaphosa is expected on Wednesday.",
        {("CHN", "RUS", "ongoing"), ("IND", "RUS", "planned"), ("ZAF", "RUS", "planned")},
    ),
    (
        "2023-09-08",
        "Delegations are pouring into New Delhi for the Group of 20 summit, which opens "
        "on Saturday. Chinese Premier Li Qiang touched down on Friday evening, and the "
        "President of the Comoros, Azali Assoumani, is expected on Saturday.",
        {("CHN", "IND", "ongoing"), ("COM", "IND", "planned")},
    ),
    (
        "2019-06-28",
        "Leaders of the Group of 20 gathered in Osaka for their summit on Friday. Russian "
        "President Vladimir Putin was expected on Friday morning, in time for the first "
        "session.",
        {("RUS", "JPN", "planned")},
    ),
    (
        "2023-05-19",
        "The Group of Seven opened its summit in Hiroshima on Friday. Also in the city on "
        "Friday were French President Emmanuel Macron and German Chancellor Olaf Scholz.",
        {("FRA", "JPN", "ongoing"), ("DEU", "JPN", "ongoing")},
    ),
    (
        "2023-10-22",
        "Australian Prime Minister Anthony Albanese will visit China from November 4 to 7. "
        "Albanese will open a trade fair in Shanghai before travelling to Beijing for "
        "talks with President Xi Jinping.",
        {("AUS", "CHN", "planned")},
    ),
    (
        "2024-03-01",
        "WASHINGTON - Officials were cautious on Friday. President Joe Biden was expected "
        "to announce new measures, and British Prime Minister Rishi Sunak is expected on "
        "Saturday to speak to him by phone.",
        set(),
    ),
    (
        "2023-06-02",
        "In Paris, the mood was sour as Spanish Prime Minister Pedro Sanchez called an "
        "early election.",
        set(),
    ),
    # a leader the gazetteer lacks, named with "of <country>"; lists of countries
    (
        "2020-02-08",
        "ADDIS ABABA - Heads of state are gathering for the African Union summit. "
        "President Omar Guelleh of Djibouti and President Emmerson Mnangagwa of Zimbabwe "
        "arrived in the capital yesterday.",
        {("DJI", "ETH", "ongoing"), ("ZWE", "ETH", "ongoing")},
    ),
    (
        "2023-06-07",
        "Iranian President Ebrahim Raisi is scheduled to visit the Latin American "
        "countries of Venezuela, Cuba and Nicaragua, state television said on Wednesday.",
        {("IRN", "VEN", "planned"), ("IRN", "CUB", "planned"), ("IRN", "NIC", "planned")},
    ),
    # a present-tense aside about the trip follows the status its first mention gave
    (
        "2024-06-17",
        "Russian President Vladimir Putin will then travel to Hanoi for a two-day visit "
        "to Vietnam starting June 19, the Kremlin said. The visit to Hanoi takes place "
        "at the invitation of the Communist Party.",
        {("RUS", "VNM", "planned")},
    ),
    # a time inside a "since" clause, a departure days ago, an anniversary
    (
        "2023-03-20",
        "Chinese President Xi Jinping landed in Moscow on Monday for his first state visit "
        "to Russia since the war in Ukraine broke out last year.",
        {("CHN", "RUS", "ongoing")},
    ),
    (
        "2023-09-12",
        "North Korean leader Kim Jong Un left Pyongyang for Russia on Sunday aboard his "
        "armoured train, state television said on Tuesday.",
        {("PRK", "RUS", "ongoing")},
    ),
    (
        "2022-02-21",
        "Beijing marked the 50th anniversary of U.S. President Richard Nixon's visit to "
        "China this week with a reception.",
        {("USA", "CHN", "past")},
    ),
    # the place a leader arrived in "for a summit" is the summit's
    (
        "2022-09-15",
        "Chinese President Xi Jinping arrived in the Uzbek city of Samarkand on Wednesday "
        "for a summit of the regional bloc. Turkish President Recep Tayyip Erdogan is "
        "expected to attend as a guest.",
        {("CHN", "UZB", "ongoing"), ("TUR", "UZB", "planned")},
    ),
    # "former" ending one sentence does not make the next sentence's leader a former one
    (
        "2023-07-18",
        "Turkish President Recep Tayyip Erdogan held talks in Doha on Tuesday. The "
        "agreements opened a new chapter between the former rivals. Erdogan last went to "
        "the UAE in February 2022.",
        {("TUR", "QAT", "ongoing"), ("TUR", "ARE", "past")},
    ),
    (
        "2022-07-08",
        "In May 2016 U.S. President Barack Obama had gone to Hiroshima, the first sitting "
        "American president to do so.",
        {("USA", "JPN", "past")},
    ),
    # whoever a leader will meet on the sidelines of the summit attends it too
    (
        "2022-09-15",
        "Indian Prime Minister Narendra Modi arrived in Samarkand on Thursday for the "
        "summit of the regional bloc. Modi will meet Russian President Vladimir Putin on "
        "the sidelines of the summit on Friday.",
        {("IND", "UZB", "ongoing"), ("RUS", "UZB", "planned")},
    ),
    # a place owned by a noun after the arrival is not where the leader landed
    (
        "2023-09-08",
        "Leaders are arriving in New Delhi for the Group of 20 summit. Chinese Premier Li "
        "Qiang landed on Friday evening, leading Beijing's delegation.",
        {("CHN", "IND", "ongoing")},
    ),
    # "in the city" is the city last named, not a country named since
    (
        "2023-07-11",
        "Turkish President Recep Tayyip Erdogan held talks in Vilnius on Monday on Sweden's "
        "bid. Erdogan had arrived in the city on Monday morning.",
        {("TUR", "LTU", "ongoing")},
    ),
]


@pytest.mark.parametrize(("day", "text", "wanted"), CASES, ids=[c[1][:40] for c in CASES])
def test_each_listed_leader_visits(extractor, day, text, wanted):
    article = Article(id="t", text=text, published_at=f"{day}T09:00:00Z")
    found = {
        (e["visitor"]["country"], e["host"]["country"], e["status"])
        for e in extractor.extract(article)
        if e["type"] == "leader_visit"
    }
    assert found == wanted


def test_a_capitalised_dateline_reads_as_a_name_and_keeps_the_offsets():
    text = "NEW DELHI, Sept 8 (Wire) - The summit opens on Saturday."
    out = readable(text)
    assert out.startswith("New Delhi.") and len(out) == len(text)
    assert readable("Kathmandu, June 13 - x").startswith("Kathmandu.")
