"""Scripted conversations between critics and @brightloop, spread over several days.

Each arc is a list of steps. A critic step either starts a new post (``root=True``) or replies
to the step before it; a brand step always replies to the step before it. Mentions are added
by the builder the way each platform's clients add them.
"""

from __future__ import annotations

from typing import NamedTuple

from critic2fan.sample.texts_long import DOUBLE_BILLING_FOLLOW_UP


class Step(NamedTuple):
    """One post in an arc."""

    day: int
    hhmm: str
    brand: bool
    text: str
    sentiment: str
    tags: tuple[str, ...]
    claim: str | None
    root: bool
    subreddit: str | None


class Arc(NamedTuple):
    """One critic, their account, and the conversation they have with the brand."""

    platform: str
    handle: str
    name: str | None
    persona: str
    followers: int | None
    created: str
    steps: tuple[Step, ...]


def c(
    day: int,
    hhmm: str,
    text: str,
    *,
    sentiment: str = "negative",
    tags: tuple[str, ...] = ("complaint",),
    claim: str | None = None,
    root: bool = False,
    sub: str | None = None,
) -> Step:
    """A critic's step."""
    if claim and "counterfactual" not in tags:
        tags = (*tags, "counterfactual")
    return Step(day, hhmm, False, text, sentiment, tags, claim, root, sub)


def b(day: int, hhmm: str, text: str, *, sentiment: str = "neutral") -> Step:
    """A reply from @brightloop to the step before it."""
    return Step(day, hhmm, True, text, sentiment, (), None, False, None)


def thanks(day: int, hhmm: str, text: str, *, root: bool = False, sub: str | None = None) -> Step:
    """A critic's step that thanks the brand: the end of an arc that comes round."""
    return c(day, hhmm, text, sentiment="positive", tags=("praise",), root=root, sub=sub)


CONVERTS: tuple[Arc, ...] = (
    Arc(
        "x",
        "danielle_okafor",
        "Danielle Okafor",
        "repeat_critic_converts",
        1_240,
        "2015-02-17",
        (
            c(
                2,
                "19:40",
                "Paying Brightloop for gig internet and getting 80 Mbps every evening. Not ok.",
                root=True,
            ),
            c(
                3,
                "05:20",
                "Night two of checking. 9:12pm speed test on Brightloop: 64 down. Noon: "
                "870. Something's broken and it isn't my laptop.",
                root=True,
            ),
            b(
                3,
                "05:52",
                "That's a huge drop and not what Home Gig should look like at any hour. "
                "Is that wifi or wired, and roughly where are you? We'd like to check the node. "
                "^AK",
            ),
            c(
                3,
                "06:15",
                "Wired, ethernet straight into the Loop Hub. Eastside, near Division & "
                "41st. Started about 2 weeks ago.",
                sentiment="neutral",
            ),
            b(
                3,
                "18:10",
                "Thanks. Our network team found an overloaded segment on your node; the "
                "capacity upgrade goes in tonight, and we've added a $30 credit for the last two "
                "weeks. "
                "If evenings aren't fixed by Saturday we'll send a tech, no charge. ^AK",
            ),
            thanks(
                6,
                "05:20",
                "Update: three nights in a row of 900+ at 9pm. Thanks @brightloop, and "
                "thanks for the credit without me having to ask twice.",
                root=True,
            ),
        ),
    ),
    Arc(
        "x",
        "mwebb_builds",
        "Marcus Webb 🔧",
        "repeat_critic_converts",
        3_410,
        "2012-09-03",
        (
            c(
                1,
                "22:20",
                "Brightloop throttles after 50GB, I'm sure of it now. Every month around "
                "the 18th my downloads crawl.",
                claim="throttle_50gb",
                root=True,
            ),
            c(
                3,
                "02:05",
                "Yep. Hit ~50GB this month and @brightloop speeds tanked again. 'Unlimited'.",
                claim="throttle_50gb",
                root=True,
            ),
            b(
                3,
                "02:50",
                "Home plans have no data cap and we don't throttle at any usage level, "
                "but something is clearly slowing you down. Wifi or wired? And is your Loop Hub "
                "the older white model? ^JT",
            ),
            c(
                3,
                "03:20",
                "white one, yeah, from 2023. Wifi to my desktop, 5GHz. Big Steam "
                "downloads drop to like 3 MB/s after a while.",
                sentiment="neutral",
            ),
            b(
                3,
                "17:00",
                "That older Hub has a firmware bug where long transfers stall on 5GHz. "
                "We're shipping you the current Loop Hub free (arrives Thursday) and added a "
                "month's credit for the hassle. ^JT",
            ),
            thanks(
                7,
                "20:30",
                "New Loop Hub from @brightloop showed up. 140GB of game downloads later, "
                "no slowdown. Guess it wasn't throttling after all. Apologies and thanks.",
                root=True,
            ),
        ),
    ),
    Arc(
        "reddit",
        "quiet_lighthouse",
        None,
        "repeat_critic_converts",
        None,
        "2017-05-21",
        (
            c(
                1,
                "16:45",
                "Charged twice after moving? Brightloop billed the old AND new address\n\n"
                "Moved on the 1st, set up the transfer two weeks ahead like they asked. November "
                "bill "
                "has two full Home 300 charges. Chat said it would 'sort itself out'. Has this "
                "happened to anyone?",
                root=True,
                sub="Brightloop",
            ),
            c(
                3,
                "15:10",
                "Update: still double charged by Brightloop, and now autopay took both\n\n"
                "Nothing sorted itself out. $90 gone for one apartment. I'm out of patience.",
                root=True,
                sub="Brightloop",
            ),
            b(
                3,
                "16:02",
                "Hi, I'm sorry about this. The old address should have closed on your "
                "move date. Could you send your account email via modmail so I can pull it up? "
                "Happy to walk through it here too. — Priya, Brightloop Community Team",
            ),
            c(
                3,
                "16:40",
                "Sent. For anyone following: transfer order was placed 10/18, move was "
                "11/1, old service should have ended 10/31, both charged $45 on 11/3.",
                sentiment="neutral",
            ),
            b(
                4,
                "19:30",
                "Found it: the transfer was split into two orders and the disconnect "
                "never got your move date. I've closed the old account back-dated to 10/31, "
                "refunded the $45 to your card (3-5 days) and added a $15 credit for the trouble. "
                "— Priya",
            ),
            thanks(
                6,
                "14:05",
                "Refund landed this morning. Thanks u/brightloop, that was painless once "
                "it got to a person.",
            ),
            thanks(8, "17:30", DOUBLE_BILLING_FOLLOW_UP, root=True, sub="Brightloop"),
        ),
    ),
    Arc(
        "bluesky",
        "noor-haddad.bsky.social",
        "Noor Haddad",
        "repeat_critic_converts",
        612,
        "2024-02-09",
        (
            c(
                4,
                "01:20",
                "moved into my new apartment and brightloop mobile has zero bars inside. "
                "zero. I can see the tower from my window",
                root=True,
            ),
            c(
                5,
                "00:45",
                "day 2 of walking onto the balcony to take calls. @brightloop this is "
                "not a lifestyle",
                root=True,
            ),
            b(
                5,
                "01:30",
                "So sorry, that's miserable. Could you share the nearest cross streets? "
                "Some newer buildings block signal badly, but we want to check the tower too.",
            ),
            c(
                5,
                "02:10",
                "Maple & 3rd, 6th floor, concrete building. Home wifi is fine, it's just "
                "calls and texts.",
                sentiment="neutral",
            ),
            b(
                5,
                "16:40",
                "Thanks Noor. The tower's fine, so it's the building. We've switched on "
                "wifi calling for your line (it was off by default on older SIMs, our fault) and "
                "knocked $10 off this month. If calls still drop, we'll send a free booster.",
            ),
            thanks(
                6,
                "03:15",
                "wifi calling on, calls clear, texts arrive. thank you @brightloop, genuinely 💛",
            ),
        ),
    ),
    Arc(
        "mastodon",
        "tobias@fosstodon.org",
        "Tobias Brandt",
        "repeat_critic_converts",
        1_880,
        "2018-03-14",
        (
            c(
                6,
                "19:05",
                "Brightloop's IPv6 prefix delegation breaks as soon as the Loop Hub is in "
                "bridge mode. My OPNsense box gets nothing. Three evenings lost to this.",
                root=True,
            ),
            c(
                8,
                "18:40",
                "Still no IPv6 behind my own router on #brightloop. Chat support "
                "suggested turning IPv6 off. That's not a fix, that's surrender.",
                root=True,
            ),
            b(
                8,
                "19:25",
                "Thanks for the detail. Bridge mode should pass a /56 through. Which Hub "
                "firmware are you on (Settings → About)? Our network engineers are reading this.",
            ),
            c(
                8,
                "19:50",
                "4.12.3. The DHCPv6-PD request goes out and the Hub answers with "
                "NoPrefixAvail. Happy to send a pcap.",
                sentiment="neutral",
            ),
            b(
                9,
                "15:15",
                "That's a provisioning flag on your line, not your setup. Fixed on our "
                "side just now, so a DHCPv6 renew should get you a /56. Sorry for the lost "
                "evenings; "
                "there's a month's credit on your account.",
            ),
            thanks(
                9,
                "18:02",
                "Confirmed: /56 delegated, every VLAN has v6. Kudos to the engineers at "
                "@brightloop, and thanks for not making me argue with a script.",
            ),
        ),
    ),
    Arc(
        "x",
        "kenji_tanaka",
        "Kenji Tanaka",
        "repeat_critic_converts",
        884,
        "2016-11-30",
        (
            c(
                5,
                "17:25",
                "Brightloop raised my price 40%. From $45 to $63. No warning.",
                claim="price_up_40",
                root=True,
            ),
            c(
                7,
                "16:10",
                "Still waiting for @brightloop to explain a 40% price hike. Crickets.",
                claim="price_up_40",
                root=True,
            ),
            b(
                7,
                "16:55",
                "Hi Kenji, the October change was 5% on Home plans. A jump to $63 sounds "
                "like an intro price ending on top of that. Which plan are you on? ^DL",
            ),
            c(
                7,
                "17:20",
                "Home Gig. Signed up last year at $45 'for 12 months'. Nobody told me it ended.",
                sentiment="neutral",
            ),
            b(
                7,
                "18:05",
                "That's it: the $45 intro price ended in October and Gig is $65 now, so "
                "$63 is a part-month mix. We should have reminded you. We can keep you on Gig at "
                "$55 "
                "for 12 months as a long-standing customer; DM us to set it up. ^DL",
            ),
            thanks(
                8,
                "01:40",
                "Took the $55 Gig deal. Appreciate the straight answer, and you're right, "
                "the 40% was the promo ending, not a price hike. My bad.",
            ),
        ),
    ),
    Arc(
        "x",
        "sarah_lindqvist",
        "Sarah Lindqvist",
        "repeat_critic_converts",
        2_075,
        "2011-07-08",
        (
            c(
                2,
                "21:30",
                "Took a day off for my Brightloop install. Nobody came. Rescheduled for Thursday.",
                root=True,
            ),
            c(
                4,
                "22:15",
                "Thursday. Still nobody. Two days off work wasted waiting for "
                "@brightloop. I'm done.",
                root=True,
            ),
            b(
                4,
                "22:48",
                "Two missed appointments is not okay, and we're sorry. Could you DM your "
                "order number? I want to find out what went wrong and book you a confirmed slot "
                "myself. ^Dana",
            ),
            c(
                4,
                "23:05",
                "DM'd. Order ends 4471. Both times the app said 'tech en route' and then "
                "'completed'?!",
                sentiment="neutral",
            ),
            b(
                5,
                "16:20",
                "Found it: a contractor marked both visits complete without showing up, "
                "and we've taken that up with them. Our own crew is booked for Saturday 8am, first "
                "slot, and your first two months are on us. ^Dana",
            ),
            thanks(
                8,
                "17:40",
                "Brightloop crew arrived at 7:55. On a Saturday. Online by 9. Apology "
                "accepted, @brightloop, and thanks Dana for sorting it.",
                root=True,
            ),
        ),
    ),
    Arc(
        "reddit",
        "throwaway_fiberless",
        None,
        "repeat_critic_converts",
        None,
        "2023-01-19",
        (
            c(
                10,
                "20:30",
                "Brightloop doesn't refund outages, so we all just eat today's bill?\n\n"
                "Five hours down in Salem. Their site says nothing about refunds. Pretty sure they "
                "just keep the money.",
                claim="no_outage_credit",
                root=True,
                sub="SalemOR",
            ),
            c(
                11,
                "18:15",
                "Day after the outage and nothing from Brightloop about money back\n\n"
                "Called, 40 minute hold, gave up. Anyone actually got anything?",
                root=True,
                sub="Brightloop",
            ),
            b(
                11,
                "19:00",
                "Hi, outages of 4+ hours are credited automatically on the next bill, no "
                "claim needed, and yesterday counts. Salem was down just over 5 hours, so you'll "
                "see "
                "a full day's credit. — Priya, Brightloop Community Team",
            ),
            c(
                11,
                "19:35",
                "My bill closes on the 25th so I guess I'll see. The hold time was still "
                "awful though.",
                sentiment="negative",
            ),
            b(
                12,
                "16:10",
                "Fair, call volume was ten times normal yesterday. I checked your "
                "account: the credit is already queued ($2.17 for Home Gig) and I've added $10 for "
                "the hold. — Priya",
            ),
            thanks(
                13,
                "15:45",
                "Credit's showing in the app. Didn't know it was automatic; thanks for "
                "clarifying and for the extra. Editing my other post so people don't panic.",
            ),
        ),
    ),
    Arc(
        "bluesky",
        "priyacodes.bsky.social",
        "Priya S.",
        "repeat_critic_converts",
        4_960,
        "2023-06-22",
        (
            c(
                8,
                "15:30",
                "Brightloop has no human support anymore. It's a chatbot loop. I've been "
                "trying to port my number for 3 days.",
                claim="bots_only_support",
                root=True,
            ),
            c(
                9,
                "14:50",
                "Day 4 of the @brightloop chatbot asking if I've tried restarting my "
                "phone. It's a PORT-IN. There is nothing to restart.",
                root=True,
            ),
            b(
                9,
                "15:20",
                "We do have people 24/7 on phone and chat; the bot should hand you over "
                "when you type 'agent', and clearly it didn't. Sorry. What does the port status "
                "say in the app?",
            ),
            c(
                9,
                "15:34",
                "'Pending - info mismatch'. Old carrier account number is right, I "
                "checked it twice.",
                sentiment="neutral",
            ),
            b(
                9,
                "16:02",
                "Thanks. A human from our porting team (hi, it's me, Jordan) checked: your "
                "old carrier wants the PIN, not the account password. Reply to the text we just "
                "sent "
                "with the PIN and it'll complete within the hour. $10 credit for the runaround.",
            ),
            thanks(
                9,
                "17:25",
                "ported!!! number works, 2FA codes arriving. thank you @brightloop (and "
                "Jordan). I'll admit there are humans.",
            ),
        ),
    ),
)

WALK_AWAYS: tuple[Arc, ...] = (
    Arc(
        "x",
        "oldmanrivers_",
        "Walt Rivers",
        "critic_agrees_to_disagree",
        310,
        "2010-04-02",
        (
            c(
                3,
                "15:40",
                "Brightloop raised my bill again. Five percent here, five percent there, "
                "and suddenly it's real money.",
                root=True,
            ),
            b(
                3,
                "16:25",
                "Understood, Walt. The October change was 5% on Home plans, our first in "
                "3 years. If Gig is more than you need, Home 300 is $45 and we can switch you with "
                "no fee. ^MR",
            ),
            c(
                3,
                "17:05",
                "I don't want slower, I want cheaper. We see this differently and that's "
                "fine. Staying for now.",
                sentiment="neutral",
            ),
            b(
                3,
                "17:30",
                "Fair enough, and thanks for telling us straight. The offer stands if you "
                "change your mind. ^MR",
            ),
        ),
    ),
    Arc(
        "reddit",
        "ethernet_purist",
        None,
        "critic_agrees_to_disagree",
        None,
        "2013-10-11",
        (
            c(
                6,
                "18:20",
                "Brightloop should include a static IP on residential plans\n\nCharging "
                "$10/month for one IPv4 address in 2026 is absurd. People who self-host are your "
                "best advocates.",
                root=True,
                sub="Brightloop",
            ),
            b(
                6,
                "20:05",
                "We get why this stings. IPv4 addresses cost us real money now (we lease "
                "blocks), which is why a static IPv4 is a $10 add-on. Your IPv6 prefix is static "
                "on "
                "every plan at no charge, for what it's worth. — Priya, Brightloop Community Team",
            ),
            c(
                6,
                "20:40",
                "I know the economics. I just think residential self-hosters are exactly "
                "who you should court. Agree to disagree, I guess.",
                sentiment="neutral",
            ),
            b(
                7,
                "15:00",
                "Agree to disagree, and we've passed the self-hoster feedback to the "
                "product team. Thanks for keeping it civil. — Priya",
            ),
        ),
    ),
    Arc(
        "mastodon",
        "lena@chaos.social",
        "Lena K.",
        "critic_agrees_to_disagree",
        2_230,
        "2017-11-02",
        (
            c(
                7,
                "20:10",
                "The Brightloop app phones home to three analytics endpoints before you "
                "even log in. Not cool for an ISP.",
                root=True,
            ),
            b(
                7,
                "21:00",
                "Fair point. The app sends crash reports and anonymous usage stats, and "
                "you can switch both off under Settings → Privacy. It sends no browsing data; we "
                "don't collect that.",
            ),
            c(
                7,
                "21:30",
                "Opt-out isn't consent; it should be opt-in. We won't agree on this one, "
                "but thanks for answering like a human.",
                sentiment="neutral",
            ),
            b(
                8,
                "14:10",
                "Noted, and passed to the app team. Thanks for the respectful back-and-forth.",
            ),
        ),
    ),
    Arc(
        "x",
        "jaycee_r",
        "jaycee",
        "critic_no_answer",
        143,
        "2019-08-25",
        (
            c(
                2,
                "03:30",
                "brightloop wifi drops every 20 minutes and I'm losing my mind",
                root=True,
            ),
            b(
                2,
                "15:10",
                "That sounds really frustrating. Is it every device or just some? And "
                "does the light on the Loop Hub change when it drops? ^JT",
            ),
            b(
                3,
                "16:00",
                "Checking in: we'd still like to help with the drops. A DM with your "
                "account email works too, whenever suits. ^JT",
            ),
        ),
    ),
    Arc(
        "bluesky",
        "hollis-m.bsky.social",
        "Hollis M",
        "critic_no_answer",
        388,
        "2024-11-14",
        (
            c(
                5,
                "18:30",
                "brightloop billed me $14 for a 'service adjustment' and I have no idea "
                "what that is",
                root=True,
            ),
            b(
                5,
                "19:15",
                "That line is usually a prorated charge after a plan change. Did you "
                "change plans or add a line last month? Happy to break it down.",
            ),
            c(6, "02:40", "didn't change anything afaik", sentiment="negative"),
            b(
                6,
                "15:30",
                "Thanks. Could you DM us your account email? We'll go through it line by line.",
            ),
        ),
    ),
    Arc(
        "reddit",
        "grumpy_commuter",
        None,
        "critic_no_answer",
        None,
        "2015-06-06",
        (
            c(
                8,
                "14:55",
                "Brightloop mobile dies completely between Millbrae and San Bruno every "
                "single day\n\nFull bars on the platform, nothing for ten minutes, then back. "
                "Every day.",
                root=True,
                sub="bayarea",
            ),
            b(
                8,
                "17:20",
                "Thanks for flagging. Which direction and roughly what time? There's a "
                "known gap near the tunnel but we'd like to confirm it's that. — Priya, Brightloop "
                "Community Team",
            ),
        ),
    ),
    Arc(
        "x",
        "vance_holloway",
        "Vance Holloway",
        "cannot_be_pleased",
        1_820,
        "2013-01-27",
        (
            c(
                1,
                "15:30",
                "Brightloop is the worst company I have ever dealt with. And I've dealt "
                "with airlines.",
                root=True,
            ),
            c(
                2,
                "16:45",
                "@brightloop your 'support' offered me a tech visit. I don't want a "
                "visit, I want my internet to work.",
                root=True,
            ),
            b(
                2,
                "17:20",
                "We hear you. A tech visit is the fastest way to find what's wrong on "
                "your line. What's happening exactly: drops, slow speeds? ^AK",
            ),
            c(2, "17:32", "Everything. It's all bad. Figure it out, you're the ISP."),
            b(
                2,
                "18:40",
                "Our diagnostics show 14 disconnects on your Hub this week, all around "
                "2am, which points at the Hub. We can swap it tomorrow and credit this month in "
                "full. ^AK",
            ),
            c(
                3,
                "14:05",
                "A credit. Wow. One month. Do you know how much of my time you've "
                "wasted? I want a year free.",
            ),
            b(
                3,
                "15:10",
                "A year isn't something we can do, but we want this right: new Hub "
                "tomorrow, this month free, and if it isn't fixed in 30 days we'll help you move "
                "and "
                "cover your next provider's install up to $100. ^AK",
            ),
            c(
                4,
                "13:50",
                "'Help you move.' You never charge fees anyway, so that's not a favour. "
                "Pathetic offer.",
            ),
            c(
                6,
                "19:15",
                "New router from Brightloop. Still terrible. Didn't even run a speed "
                "test, I already know.",
                root=True,
            ),
            c(
                9,
                "16:30",
                "Brightloop called to 'follow up'. I hung up. Stop calling me.",
                root=True,
            ),
            b(9, "17:05", "Understood, we won't call again. If anything changes, we're here. ^AK"),
            c(
                11,
                "21:10",
                "Still on Brightloop, still miserable, still waiting for them to do "
                "something that isn't a gimmick.",
                root=True,
            ),
            c(13, "18:25", "Yet another day of Brightloop being Brightloop.", root=True),
        ),
    ),
)
