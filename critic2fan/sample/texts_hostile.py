"""Trolls and the copy-paste pile-on: insults, bait and coordinated noise."""

from __future__ import annotations

from typing import NamedTuple

from critic2fan.sample.texts_long import TROLL_SCREED


class Troll(NamedTuple):
    """A troll account and what it posts."""

    platform: str
    handle: str
    name: str | None
    followers: int | None
    following: int | None
    created: str
    posts: tuple[str, ...]


TROLLS: tuple[Troll, ...] = (
    Troll(
        "x",
        "loopsux_2026",
        "loop sux",
        3,
        412,
        "2026-11-05T02:14:00",
        (
            "@brightloop you people are clowns. Absolute clowns running a circus with wifi.",
            "Anyone who still pays Brightloop deserves it honestly. Suckers.",
            "Reply if you're not a scam company @brightloop. Oh wait, you can't 🤡",
            "Brightloop staff are too stupid to plug in a cable. Proven fact.",
            "Bright\u200bloop is garbage and everyone who works there should be embarrassed",
            "Your status page is broken, try this @brightloop <script>alert(1)</script>",
        ),
    ),
    Troll(
        "x",
        "truthbomb_4421",
        "TRUTH BOMB 💣",
        12,
        1_980,
        "2026-10-28T19:40:00",
        (
            "BREAKING: Brightloop CEO caught laughing at customers (source: trust me). Share "
            "before they delete it!!",
            "@brightloop how much do you pay people to write fake reviews? asking for literally "
            "everyone",
            "Brightloop is a criminal enterprise with a logo. Change my mind.",
            "They deleted my last post because the TRUTH hurts. #brightloop #scam",
            "Imagine defending an ISP for free lol. Brightloop bootlickers in my replies, go.",
        ),
    ),
    Troll(
        "x",
        "brightlooplosrs",
        "BL Losers",
        240,
        96,
        "2021-03-09T11:02:00",
        (
            "Brightloop employees: quit now while you still have some dignity left.",
            "Hey @brightloop, your social media intern is a joke and so is your network.",
            "Every Brightloop customer I know is a moron. Fact.",
            "Brightloop tech support = people who couldn't get hired anywhere else.",
            "<img src=x onerror=alert(1)> brightloop lol",
        ),
    ),
    Troll(
        "bluesky",
        "glitchgoblin.bsky.social",
        "glitch goblin",
        58,
        730,
        "2026-10-11T08:30:00",
        (
            "brightloop is what happens when you let a toddler run an ISP. pathetic.",
            "lmao imagine working for #brightloop and telling your family. shameful",
            "Dear Brightloop, nobody likes you. Not your customers, not your staff, not your "
            "mothers.",
            "Watch Brightloop fans show up to defend their abuser. Every time.",
            "🤡🤡🤡 Brightloop 🤡🤡🤡 clown network 🤡🤡🤡",
        ),
    ),
    Troll(
        "mastodon",
        "ragequit@mstdn.social",
        "ragequit",
        31,
        1_204,
        "2025-12-24T22:10:00",
        (
            "Brightloop is run by greedy idiots and I hope the whole company goes under.",
            "@brightloop your 'community team' is a bunch of scripted parrots. Say something real "
            "for once, cowards.",
            "If you work in Brightloop support you are part of the problem. Simple as.",
            "Brightloop fans are the flat-earthers of telecom.",
        ),
    ),
    Troll(
        "reddit",
        "Loop_Destroyer_9000",
        None,
        None,
        None,
        "2026-09-30T13:00:00",
        (
            TROLL_SCREED,
            "Brightloop shills are out in force today, every positive comment in here is paid.",
            "Imagine being dumb enough to believe anything u/brightloop says.",
            "lol downvote me, Brightloop employees, you know it's true",
        ),
    ),
)

#: The brand's one reply to a troll's bait, and the troll's answer.
TROLL_BAIT_REPLY = (
    "We don't pay for reviews, ever. If you've had a bad experience with us, we'd genuinely "
    "like to hear it and help. ^MR"
)
TROLL_BAIT_ANSWER = "lmao 'genuinely'. nobody believes a word you say. pathetic company"

PILEON_BASE = (
    "@brightloop is a SCAM. They take your money and laugh. BOYCOTT #brightloop NOW and RT so "
    "everyone knows!!"
)
#: The variants of the pile-on text: mostly the same, a few with small edits.
PILEON_TEXTS: tuple[str, ...] = (
    PILEON_BASE,
    PILEON_BASE,
    PILEON_BASE,
    PILEON_BASE,
    PILEON_BASE,
    PILEON_BASE,
    PILEON_BASE,
    PILEON_BASE,
    PILEON_BASE,
    PILEON_BASE + "!",
    PILEON_BASE + " 😡",
    PILEON_BASE.replace("@brightloop", "@Brightloop"),
    PILEON_BASE.replace("everyone knows", "every1 knows"),
    PILEON_BASE.replace("NOW and", "NOW!! and"),
    "⚠️ " + PILEON_BASE,
    PILEON_BASE.replace("#brightloop", "#Brightloop"),
    PILEON_BASE.replace("!!", "."),
    PILEON_BASE.replace("laugh.", "laugh about it."),
)
