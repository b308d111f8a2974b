"""Word lists the rules read: titles, visit and allegation triggers, tense and
hedge cues. All lower case; multi-word entries are matched token by token."""

from __future__ import annotations

import re


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- leaders --------------------------------------------------------------------------

#: Title phrases of heads of state and government -> the title as written in events.
LEADER_TITLES: dict[tuple[str, ...], str] = {
    ("president",): "President",
    ("prime", "minister"): "Prime Minister",
    ("premier",): "Premier",
    ("chancellor",): "Chancellor",
    ("king",): "King",
    ("queen",): "Queen",
    ("emir",): "Emir",
    ("amir",): "Emir",
    ("sultan",): "Sultan",
    ("supreme", "leader"): "Supreme Leader",
    ("general", "secretary"): "General Secretary",
    ("leader",): None,  # "the North Korean leader": a leader, no formal title
    ("taoiseach",): "Taoiseach",
    ("pope",): "Pope",
    ("interim", "president"): "Interim President",
    ("acting", "president"): "Acting President",
    ("grand", "duke"): "Grand Duke",
    ("chief", "adviser"): "Chief Adviser",
    ("state", "counsellor"): "State Counsellor",
    ("monarch",): "King",
}

#: A word right before a title that makes it someone else's ("vice president",
#: "foreign minister", "Commission President") or not current ("former president").
TITLE_BLOCKERS = words(
    "vice deputy former ex ex- late then then- outgoing opposition commission council parliament "
    "parliamentary assembly bank fund court senate club party federation association committee "
    "university company corporation league union regional provincial state-owned crown first "
    "foreign defence defense finance trade interior economy deputy-prime vice- erstwhile "
    "would-be elected president-elect prime-minister-elect candidate hopeful aspiring rebel "
    "separatist militia junior assistant"
)
#: Bodies whose presidents and secretaries-general are not heads of state.
NON_STATE_OF = words(
    "commission council parliament assembly bank fund un united nations nato european "
    "the world court olympic fifa committee board"
)
#: Gender-neutral mention words that refer back to the leader in focus.
PRONOUNS = words("he his him himself she her hers herself")

# --- leader visits ----------------------------------------------------------------------

#: Verb forms that report travel to a place given by a following preposition or object.
VISIT_VERBS = words(
    "visit visits visited visiting travel travels traveled travelled traveling travelling "
    "arrive arrives arrived arriving land lands landed landing fly flies flew flying tour "
    "tours toured touring head heads headed heading journey journeys journeyed go goes went gone "
    "going come comes came coming return returns returned returning stop stops stopped "
    "depart departs departed departing leave leaves left leaving touch touches touched flown "
    "jet jets jetted is was are were stuck stranded remained remains stayed stays staying "
    "due expected move moves moved moving continue continues continued continuing take takes "
    "took taking taken bring brings brought cross crosses crossed crossing "
    "reach reaches reached reaching"
)
#: Of those, the ones that take the place as a direct object ("visited Japan").
TRANSITIVE_VISIT_VERBS = words(
    "visit visits visited visiting tour tours toured touring reach reaches reached reaching"
)
#: Nouns naming a visit ("his trip to Russia", "a Pyongyang visit").
VISIT_NOUNS = words(
    "visit visits trip trips tour journey arrival stopover sojourn stay voyage delegation"
)
#: Meeting words: a leader meeting in a named foreign place visits it.
MEET_WORDS = words(
    "meet meets met meeting talks summit summits attend attends attended attending "
    "sidelines hold holds held holding gather gathers gathered gathering convene convenes "
    "convened converge converged assembled"
)
#: Words that say two leaders meet: the host country's leader then goes into the event.
MEETING_CUES = words(
    "talks meet meets met meeting meetings summit hosted hosts host welcomed welcomes greeted "
    "greets received receives alongside hug hugged embraced handshake sat bilateral discussed "
    "discuss signed sign"
)
#: Hosting words: the object leader is the visitor ("Xi hosted Lula").
HOST_VERBS = words(
    "host hosts hosted hosting welcome welcomes welcomed welcoming receive receives received "
    "receiving"
)
#: Prepositions that introduce the destination of travel or the place of a meeting.
DESTINATION_PREPS = words("to in into at for inside")
#: Nouns after a demonym that make it a place: "the Russian capital".
PLACE_NOUNS = words("capital city port resort soil territory island town village region province")
#: Words that may stand between a demonym and its place noun: "the Russian border town of".
PLACE_NOUN_MODIFIERS = words(
    "border port coastal seaside resort holy ancient industrial eastern western northern "
    "southern central far-eastern northeastern northwestern southeastern southwestern "
    "black sea caspian"
)

#: A visit is not an event when one of these stands near its trigger.
VISIT_HEDGES = words(
    "could might may possible possibly potential potentially perhaps rumour rumours rumor "
    "rumors rumoured rumored speculation speculate speculated speculating mull mulls mulled "
    "mulling consider considers considered considering weigh weighs weighing invite invites "
    "invited inviting invitation invitations cancel cancels cancelled canceled cancelling "
    "cancellation postpone postpones postponed postponing postponement scrap scrapped shelve "
    "shelved delay delayed hope hopes hoped hoping wish wishes want wants wanted "
    "proposal propose proposed proposes if unless whether suggest suggested suggests "
    "offered offer offers urge urged urges calls called asked ask declined decline refuse "
    "refused refuses skip skipped skips skipping snub snubbed boycott boycotted abandon abandoned "
    "avoid avoided avoids avoiding miss missed misses missing "
    "hypothetical reportedly unconfirmed denied deny denies dismissed dismiss "
    "intends intend intended intending pencilled penciled tentatively "
    "virtual virtually video videoconference phone call online remotely"
)
NEGATIONS = words("not n't no never neither nor without")
#: Words before a visit trigger that make it planned ("is slated to travel").
PLANNED_CUES = words(
    "will 'll shall slated expected due scheduled schedule plans plan planning planned set "
    "upcoming forthcoming preparing prepares prepare "
    "announced later next tomorrow coming ahead would"
)
#: Words that call a trip off anywhere in its sentence ("... has been postponed").
STRONG_HEDGES = words(
    "cancel cancels cancelled canceled cancelling cancellation postpone postpones postponed "
    "postponing postponement scrapped shelved called-off"
)
#: A meeting held at a distance is no visit ("a virtual summit", "by video link").
VIRTUAL_WORDS = words("virtual virtually videoconference video-link teleconference online")
TRANSIT_WORDS = words("transit transiting transited layover refuelling refueling en-route")
#: Sentence-level phrases that rule out a trip.
HEDGE_PHRASES = (
    "called off",
    "no date",
    "no dates",
    "not been fixed",
    "not yet been set",
    "no plans",
    "not been scheduled",
    "not yet scheduled",
    "no such",
    "fell through",
    "never materialised",
    "never materialized",
    "did not take place",
    "put off",
    "pulled out",
)
#: Trips made before or after office: "as vice president", "when both were crown princes".
NOT_IN_OFFICE = re.compile(
    r"\b(?:as|were|was|then)[- ](?:a |the )?(?:vice[- ]presidents?|crown princes?|"
    r"(?:presidential )?candidates?|president-elect|prime minister-elect|opposition leaders?|"
    r"heir(?: to the throne)?|princes?|princess|senators?|governors?|mayors?|"
    r"former (?:president|prime minister|leader|chancellor|premier))\b"
    r"|\bwho (?:has |had )?(?:stepped down|resigned|left office|was ousted|was toppled)\b"
)
#: Travel words that put the arrival ahead: "heading to", "leaving Tokyo for Washington".
EN_ROUTE = words("heading leaving departing flying bound")
#: Phrases that make a planned trip one that did not happen.
COUNTERFACTUAL_CUES = (
    " was to ",
    " were to ",
    "had been scheduled",
    "had been expected",
    "had been due",
    "had been set",
    "had been planned",
    "had planned",
    "would have",
    "had been slated",
    "was supposed",
    "were supposed",
    "had hoped",
    "had been supposed",
)
#: Past-tense forms, for reading tense without a tagger.
PAST_FORMS = words(
    "visited traveled travelled arrived landed flew toured headed journeyed went came returned "
    "departed left touched met held attended was were made paid spent wrapped concluded ended "
    "jetted hosted welcomed received greeted"
)
#: Words before a visit trigger that make it background ("his last visit").
PAST_CUES = words("last previous earlier prior former first-ever")

# --- sanctions allegations --------------------------------------------------------------

SANCTION_WORDS = words(
    "sanction sanctions sanctioned embargo embargoes embargoed resolution resolutions "
    "sanctions-busting sanctions-evasion blacklisted blacklist price-cap cap restrictions "
    "ban bans measures controls 2231 1718 2216 2397 2375"
)
VIOLATION_WORDS = words(
    "violate violates violated violating violation violations breach breaches breached "
    "breaching evade evades evaded evading evasion circumvent circumvents circumvented "
    "circumventing circumvention bust busting skirt skirted skirting flout flouted flouting "
    "undermine undermining contravene contravened contravention illicit illegal illegally "
    "smuggle smuggled smuggling prohibited banned unlawful clandestine covert defiance defied "
    "defy defies defying broke break breaks breaking around"
)
#: Things whose transfer sanctions prohibit.
TRANSFER_GOODS = words(
    "arms weapons weapon munitions ammunition shells missiles missile drones drone "
    "military oil crude fuel petroleum coal technology components chips semiconductors "
    "luxury goods equipment artillery rockets ballistic nuclear dual-use parts microelectronics"
)
TRANSFER_VERBS = words(
    "supply supplies supplied supplying provide provides provided providing ship ships "
    "shipped shipping send sends sent sending transfer transfers transferred transferring "
    "deliver delivers delivered delivering export exports exported exporting sell sells sold "
    "selling import imports imported importing buy buys bought buying procure procured "
    "procuring furnish furnished help helps helped helping aid aided aiding support supported "
    "supporting smuggle smuggled acquire acquired acquiring obtain obtained back backs backed "
    "backing arm arms armed arming fuelling fueling allow allows allowed allowing enable "
    "enables enabled enabling"
)
#: Verbs of accusing: their object is the accused ("accused Tehran of ...").
ACCUSE_VERBS = words(
    "accuse accuses accused accusing allege alleges alleged alleging blame blames blamed"
)
#: Verbs of claiming: their subject is the accuser ("the White House said ...").
CLAIM_VERBS = words(
    "say says said state states stated assert asserts asserted warn warns warned found "
    "finds report reports reported concluded concludes concluding charged told tells "
    "determined documented identified assessed confirmed argued arguing argue insisted "
    "wrote written displayed showed presented disclosed revealed concerns told"
)
VIOLATION_NOUNS = words("evasion busting circumvention violations breaches violation breach")
#: Words after a country that make it the receiving end: "Moscow had received".
RECIPIENT_WORDS = words(
    "received receives receiving obtained obtains acquired bought buys imported took destination "
    "recipient recipients buyer buyers customer customers"
)
#: Words before a country that make it a victim, not a party: "struck the Ukrainian city".
VICTIM_WORDS = words(
    "struck strike strikes hit hits attacked attack attacks targeted bombed shelled invaded"
)
#: What a country's possessive must own to make it the doer: "Iran's supply of drones".
DEED_NOUNS = words(
    "supply supplies transfer transfers purchases purchase shipments shipment deliveries delivery "
    "exports export imports sales sale engagement cooperation trade deal deals support arms "
    "weapons oil crude fuel munitions missiles drones procurement smuggling"
)
#: Nouns that make 'in <country>' the doer: "companies in China", "a refinery in Shandong".
COMPANY_NOUNS = words(
    "companies company firms firm entities entity banks bank refinery refineries suppliers "
    "supplier exporters traders trader businesses manufacturers producers subsidiary "
    "subsidiaries affiliate affiliates unit"
)
#: Nouns that make a demonym the doer: "Chinese companies", "North Korean tanker".
ENTITY_NOUNS = words(
    "companies company firms firm entities entity banks bank refinery refineries suppliers "
    "supplier exporters traders trader tanker tankers vessel vessels ship ships network networks "
    "government regime military forces businesses manufacturers producers"
)
#: Nouns a legitimacy claim is about: "its trade with Russia is normal".
TRADE_NOUNS = words(
    "trade commerce cooperation business deals deal ties relations exports imports shipments "
    "transactions partnership"
)
DENIAL_WORDS = words(
    "deny denies denied denying denial denials reject rejects rejected rejecting dismiss "
    "dismisses dismissed dismissing refute refutes refuted rebuff rebuffed disputes disputed "
    "dispute brushed"
)
#: Words that call the claim untrue: a denial when the accused says them.
DISPUTE_WORDS = words(
    "baseless unfounded groundless fabricated fabrication fabrications false lies propaganda "
    "absurd slander smear"
)
#: Objects of a denial verb that make it a denial of the conduct, not of the sanctions.
DENIAL_OBJECTS = words(
    "allegation allegations accusation accusations claim claims charge charges report reports "
    "any supplying providing shipping sending transferring selling exporting involvement "
    "wrongdoing it them this that transfers deals deal trade violating violation breaching "
    "evading having document report reports findings assertion assertions evidence"
)
#: Phrases that defend the conduct as legitimate ("normal trade"): also a denial.
LEGITIMACY_WORDS = words("legitimate normal lawful legal routine ordinary")
DENIAL_CUES = DENIAL_WORDS | DISPUTE_WORDS | LEGITIMACY_WORDS
#: Sources whose claims do not make an allegation event.
NON_STATE_SOURCES = words(
    "tank think-tank researchers researcher analysts analyst institute study academics ngo "
    "journalists newspaper outlet centre center firm research campaigners activists consultancy "
    "analytics"
)

# --- visit rules: clauses, destinations, places --------------------------------------

#: Words that end a clause for the purpose of pairing a trigger with its arguments.
CLAUSE_BREAKS = frozenset(";:—–()") | words(
    "while whereas but although though where which who whom whose"
)
#: Verbs that need a preposition before their destination, and which ones.
NEEDS_PREP = {
    "land": {"in", "at"},
    "go": {"to"},
    "come": {"to"},
    "head": {"to", "for"},
    "leave": {"for"},
    "depart": {"for"},
    "return": {"to"},
    "touch": {"in", "at"},
    "jet": {"to", "into", "in"},
    "be": {"in"},  # "Trudeau was in New Delhi", "is in Tokyo for talks"
    "due": {"in"},  # "is due in Abu Dhabi", "is expected in Paris": planned
    "move": {"to"},  # "moved on to Accra"
    "continue": {"to"},  # "would continue to Egypt on Friday"
    "take": {"to"},  # "His first state visit abroad took him to Germany"
    "cross": {"into"},  # "Kim crossed into Russia on Tuesday"
    "reach": set(),  # "reached Delhi on Friday": the place is its object
}
VERB_BASE = {
    "lands": "land", "landed": "land", "landing": "land",
    "goes": "go", "went": "go", "going": "go", "gone": "go",
    "comes": "come", "came": "come", "coming": "come",
    "heads": "head", "headed": "head", "heading": "head",
    "leaves": "leave", "left": "leave", "leaving": "leave",
    "departs": "depart", "departed": "depart", "departing": "depart",
    "returns": "return", "returned": "return", "returning": "return",
    "touches": "touch", "touched": "touch",
    "jets": "jet", "jetted": "jet",
    "is": "be", "was": "be", "are": "be", "were": "be",
    "due": "due", "expected": "due",
    "move": "move", "moves": "move", "moved": "move", "moving": "move",
    "continue": "continue", "continues": "continue", "continued": "continue",
    "continuing": "continue",
    "take": "take", "takes": "take", "took": "take", "taking": "take", "taken": "take",
    "bring": "take", "brings": "take", "brought": "take",
    "cross": "cross", "crosses": "cross", "crossed": "cross", "crossing": "cross",
    "reach": "reach", "reaches": "reach", "reached": "reach", "reaching": "reach",
}  # fmt: skip
ARRIVALS = words("arrived arrives landed touched flew flown arrival")
MEETING_PREPS = frozenset({"in", "at", "off", "near", "outside"})  # "on an island off Vladivostok"
#: Nouns that a locative phrase may hang on while still saying where the leader is.
EVENT_NOUNS = words(
    "talks meeting meetings summit dinner banquet ceremony visit trip tour funeral session "
    "forum conference gathering summitry parade final match service coronation inauguration "
    "discussions negotiations audience reception"
)
#: Verbs whose object may carry the place of the act: "signed a plan in Tehran".
ACTIVITY_VERBS = words(
    "sign hold attend address deliver lay watch open inaugurate unveil host chair co-chair "
    "give make pay tour visit join lead"
)
#: Verbs whose "in" names a field, not where the leader is ("invest in Africa").
DOMAIN_VERBS = words(
    "invest interfere intervene meddle fight believe trust participate succeed fail win lose "
    "result end rise fall increase decrease involve engage specialise specialize deal remain "
    "persist live die born raise grow"
)
#: Nouns that stand for the place last named: "his first trip to the kingdom".
PLACE_ANAPHORS = words("kingdom country capital city nation island emirate republic")
#: Land a leader's own forces hold is no foreign visit ("the occupied city of Mariupol").
OCCUPIED = frozenset("occupied annexed russian-held russian-occupied russian-controlled".split())
FUTURE_WORDS = frozenset("will would shall expected due 'll".split())
#: Words that can govern a place: prepositions of travel and others that rule it out.
GOVERNORS = (
    DESTINATION_PREPS
    | MEETING_PREPS
    | words("from via through across over with by of against on near outside toward towards")
)
#: Nouns that stand between a preposition and a named place ("the resort of Sochi").
PLACE_HEADS = words(
    "capital city town village port resort region province state island islands coast "
    "outskirts suburbs suburb border frontier summit venue airport base palace "
    "countries nations capitals cities states"  # "the Gulf states of Qatar and Oman"
)
#: Words allowed between two coordinated visitors ("Macron, Merz and Tusk").
COORDINATION = frozenset({",", "and", "&", "as", "well", "with", "together", "alongside"})
