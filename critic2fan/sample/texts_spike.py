"""The Northwest outage of Monday 16 November 2026: what customers and the brand posted."""

from __future__ import annotations

#: Handwritten outage posts: (extra tags, claim_id, lang, text). All are negative.
SPIKE: tuple[tuple[tuple[str, ...], str | None, str, str], ...] = (
    ((), None, "en", "Brightloop down in Portland? Nothing loads, router light is red."),
    ((), None, "en", "@brightloop whole neighbourhood offline in Tacoma since about 7am. Any ETA?"),
    ((), None, "en", "Is #brightloop down for everyone in Seattle or just me"),
    ((), None, "en", "Brightloop outage AGAIN. I have a client presentation in 40 minutes."),
    (
        (),
        None,
        "en",
        "My Brightloop mobile has no data either?? I thought it was just home internet",
    ),
    (
        (),
        None,
        "en",
        "Red light on the Loop Hub, no internet, status page still green. @brightloop come on",
    ),
    (
        (),
        None,
        "en",
        "Whole office on Brightloop, whole office staring at the wall. Productivity 📉",
    ),
    (
        (),
        None,
        "en",
        "Brightloop is down in Beaverton. Kids' online class just kicked everyone out.",
    ),
    (
        (),
        None,
        "en",
        "Been on hold with Brightloop for 35 minutes during an outage. Sure, that'll help.",
    ),
    ((), None, "en", "@brightloop Salem is out too. Please say something."),
    (
        (),
        None,
        "en",
        "Can't work, can't call my doctor's office, Brightloop mobile AND home both dead in "
        "Olympia.",
    ),
    (
        (),
        None,
        "en",
        "BRIGHTLOOP IS DOWN. I repeat. BRIGHTLOOP IS DOWN. (posting from the neighbour's wifi)",
    ),
    (
        (),
        None,
        "en",
        "Love finding out about a Brightloop outage because my doorbell camera went offline.",
    ),
    (
        (),
        None,
        "en",
        "Started my shift at 7, Brightloop went down at 7:02. Call centre job. You can imagine.",
    ),
    (
        (),
        None,
        "en",
        "Brightloop, I run a bakery. My card reader runs on your internet. It's Monday morning. "
        "Please.",
    ),
    (
        (),
        None,
        "en",
        "Outage in Gresham. Brightloop app says 'we're looking into it'. Looking since when?",
    ),
    (
        (),
        None,
        "en",
        "The one day I have a job interview on video. The ONE day. Brightloop down across Seattle.",
    ),
    ((), None, "en", "@brightloop status page: all green. Reality: all red. Pick a lane."),
    (
        (),
        None,
        "en",
        "My whole Discord is Brightloop users in the PNW and we're all on hotspots from other "
        "carriers.",
    ),
    (
        (),
        None,
        "en",
        "Is Brightloop going to credit us for this? I'm losing a full day of billable hours.",
    ),
    (
        (),
        None,
        "en",
        "3 hours now. Brightloop, this is a regional outage, not 'intermittent issues'.",
    ),
    (
        (),
        None,
        "en",
        "Tethering to my work phone because Brightloop is dead in Bellevue. Thank you, corporate "
        "data plan.",
    ),
    (
        (),
        None,
        "en",
        "Brightloop outage: Everett confirmed. Rebooting the router does nothing, don't bother.",
    ),
    ((), None, "en", "Anyone in Eugene with Brightloop working? Mine's been dead since 7."),
    (
        (),
        None,
        "en",
        "Brightloop down. Support line busy. Chat won't load because, well, no internet.",
    ),
    (
        (),
        None,
        "en",
        "I genuinely thought I broke the router. Unplugged everything. Nope, Brightloop is down "
        "statewide.",
    ),
    (
        (),
        None,
        "en",
        "Cool, Brightloop is down and so is my Brightloop phone, so I can't even call Brightloop.",
    ),
    ((), None, "en", "@brightloop 4 hours. Some real information would be nice."),
    (
        (),
        None,
        "en",
        "Brightloop outage = no thermostat control. It's 38°F in Spokane and the heat is stuck on "
        "eco.",
    ),
    (
        (),
        None,
        "en",
        "This Brightloop outage is a good reminder to have a backup. Also a reminder that I'm "
        "angry.",
    ),
    ((), None, "en", "Tacoma: still down. Brightloop: still quiet. Me: still paying."),
    ((), None, "en", "For the record I'm on the top Brightloop plan and I am premium-ly offline."),
    (
        (),
        None,
        "en",
        "Brightloop, my elderly dad's medical alert hub runs on your internet. Please fix this "
        "fast.",
    ),
    ((), None, "en", "Went to a café to work. Café is on Brightloop. Café is down. Going home."),
    (
        (),
        None,
        "en",
        "Outage trackers show Brightloop reports spiking across Oregon and Washington. It's not "
        "just you.",
    ),
    (
        (),
        None,
        "en",
        "The Brightloop status page finally admits 'degraded service in the Northwest'. Degraded "
        "is generous.",
    ),
    (
        (),
        None,
        "en",
        "Is this Brightloop outage a cut fiber or are they doing 'maintenance' on a Monday "
        "morning?",
    ),
    (
        (),
        None,
        "en",
        "lost a whole morning of sales because Brightloop can't keep the lights on. who covers "
        "that?",
    ),
    ((), None, "en", "Brightloop down, Teams down, and my manager thinks I'm slacking. Thanks."),
    (
        (),
        None,
        "en",
        "If one more Brightloop bot tells me to restart my router during a REGIONAL outage I'll "
        "scream.",
    ),
    ((), None, "en", "Day ruined. Brightloop out since 7:03am in Vancouver WA."),
    (
        (),
        None,
        "en",
        "We switched to Brightloop for reliability. Today's outage is the third since summer.",
    ),
    (
        (),
        None,
        "en",
        "Brightloop outage update from Olympia: nothing. Nothing has changed. Nothing is loading.",
    ),
    ((), None, "en", "Just paid my Brightloop bill yesterday. Today: no service. Timing 👌"),
    (
        (),
        None,
        "en",
        "Scheduled a charity stream for 10am. Brightloop had other plans. Rescheduled, again.",
    ),
    (
        (),
        None,
        "en",
        "Hey @brightloop, if you can't give an ETA, at least say how many people are affected.",
    ),
    (
        (),
        None,
        "en",
        "Working from a burger place parking lot because of the Brightloop outage. Living the "
        "dream.",
    ),
    (
        (),
        None,
        "en",
        "Brightloop down in Portland + Vancouver + Salem per my group chat. This is big.",
    ),
    ((), None, "en", "brightloop mobile just says 'SOS only' on my phone. SOS is right."),
    ((), None, "en", "The Brightloop outage is 5 hours old now. Some of us have deadlines."),
    ((), None, "en", "Not the day for this, Brightloop. Not the day."),
    ((), None, "en", "Brightloop: 'We're aware.' Great, so are we. Since 7am."),
    (
        (),
        None,
        "en",
        "My smart lights are stuck on because Brightloop is down. Can't even turn the lights off.",
    ),
    (
        (),
        None,
        "en",
        "If this Brightloop outage isn't credited I'm filing a complaint with the utility "
        "commission.",
    ),
    (
        (),
        None,
        "en",
        "Brightloop outage killed my online exam. The proctoring software logged it as me leaving.",
    ),
    ((), None, "en", "Brightloop, I get that things break. I don't get two hours of silence."),
    (
        (),
        None,
        "en",
        "Whole apartment complex in Bellevue is offline, people in the hallway comparing phones "
        "like it's 1999. Thanks Brightloop.",
    ),
    ((), None, "en", "No internet, no mobile, no updates. Brightloop please."),
    (
        ("sarcasm",),
        None,
        "en",
        "Great, third outage this week, love paying for nothing 🙃 #brightloop",
    ),
    (
        ("sarcasm",),
        None,
        "en",
        "Love that Brightloop picked Monday 7am for its annual 'digital detox' event 🙃",
    ),
    (
        ("sarcasm",),
        None,
        "en",
        "Brightloop really said 'let's see who actually needs the internet'. Everyone. "
        "Everyone needs it.",
    ),
    (
        ("sarcasm",),
        None,
        "en",
        "Wonderful. Brightloop has turned my smart home into a regular home. Innovation.",
    ),
    (
        ("counterfactual",),
        "no_outage_credit",
        "en",
        "And of course Brightloop doesn't give refunds for "
        "outages, so we all pay for today anyway.",
    ),
    (
        ("counterfactual",),
        "no_outage_credit",
        "en",
        "Remember Brightloop gives NO credit for outages. Screenshot everything and dispute it.",
    ),
    ((), None, "es", "Sin internet desde las 7 con Brightloop en Portland. ¿Alguien sabe algo?"),
    ((), None, "es", "Brightloop caído en Salem, ni el móvil funciona 😤"),
    ((), None, "ar", "\u200f@brightloop متى سيعود الإنترنت؟ انقطاع منذ الصباح في سياتل"),
    ((), None, "en", "📵📵📵 Brightloop down 😡😡 Seattle 🔴🔴"),
    ((), None, "en", "❄️🥶 no heat control bc Brightloop is down 😩😩"),
    ((), None, "en", "🔴🔴🔴 Brightloop outage?? 😭😭 Tacoma"),
)

#: Pieces for the rest of the burst; every combination is used at most once.
PLACES = (
    "Portland",
    "Seattle",
    "Tacoma",
    "Salem",
    "Eugene",
    "Olympia",
    "Beaverton",
    "Gresham",
    "Bellevue",
    "Everett",
    "Vancouver WA",
    "Hillsboro",
    "Kent",
    "Renton",
    "Lake Oswego",
)
STATUS = (
    "Brightloop still down in {place}.",
    "No Brightloop in {place} since 7.",
    "{place} checking in: Brightloop dead here too.",
    "Brightloop out in {place}, both home and mobile.",
    "Still nothing from Brightloop in {place}.",
    "{place}, hour three of the Brightloop outage.",
    "Brightloop outage reached {place} apparently.",
)
IMPACT = (
    "Can't work.",
    "Kids are climbing the walls.",
    "Lost a client call.",
    "My shop can't take cards.",
    "The cameras are all offline.",
    "Missed a telehealth appointment.",
    "Nobody in the house can work.",
    "Cancelled two meetings already.",
    "Paying for a hotspot on top of my bill now.",
    "The landline runs through it too, so that's gone.",
)
CLOSERS = (
    "",
    " Any ETA @brightloop?",
    " Ridiculous.",
    " This is getting old.",
    " Come on, Brightloop.",
    " Not impressed.",
    " Fix it.",
)

#: The brand's status thread, posted on X, Bluesky and Mastodon: (UTC time, text).
STATUS_THREAD: tuple[tuple[str, str], ...] = (
    (
        "15:40",
        "We're aware of an outage affecting home internet and mobile data for customers in "
        "Oregon and Washington since about 7:00 PT. Engineers are on it; updates in this thread.",
    ),
    (
        "16:30",
        "Update: the cause is a fiber cut on a regional backbone link, made worse by a routing "
        "fault. Crews are on site. Rebooting your Loop Hub won't help, sorry for the bot advice.",
    ),
    (
        "17:45",
        "Update: traffic is partly rerouted and some areas are back. Splicing is under way. "
        "We expect most service back by early afternoon PT.",
    ),
    (
        "19:10",
        "Update: most of Portland, Salem and Tacoma are back. Seattle and Bellevue are next. "
        "Thank you for bearing with us.",
    ),
    (
        "20:45",
        "Service is restored for all affected customers. Outages of 4 hours or more are credited "
        "automatically on your next bill; no need to contact us. A full report follows.",
    ),
)

#: The brand's replies to a few outage posts.
SPIKE_REPLIES: tuple[str, ...] = (
    "We're so sorry. Crews are splicing the cut now and we'll post the moment service is back; "
    "the credit for today is automatic.",
    "That's exactly the kind of thing we don't want to break. If the alert hub is urgent, call "
    "us on the priority line 800-555-0199 and we'll send a mobile hotspot from another network.",
    "You're right, the bot shouldn't have told anyone to reboot during a regional outage. "
    "We've switched that off. Sorry.",
    "About 140,000 customers across Oregon and Washington. Updates are in our pinned thread.",
    "No claim needed: any outage of 4+ hours is credited automatically on your next bill, and "
    "today qualifies.",
)
