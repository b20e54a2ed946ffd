"""Everyday mentions of Brightloop: praise, questions, gripes, false claims, sarcasm, asides."""

from __future__ import annotations

PRAISE: tuple[str, ...] = (
    "Switched to Brightloop Home Gig last month and my upload finally matches my download. "
    "Video calls don't freeze anymore.",
    "Shoutout to the Brightloop tech who showed up 10 min early, ran the cable through the "
    "crawlspace without a single complaint and explained the router lights to my mum.",
    "@brightloop support sorted my number port in 20 minutes on chat. Actual human, actual "
    "answers. Didn't expect that.",
    "Three months on Brightloop and not a single drop during evening raids. Ping went from 48 to "
    "11.",
    "ok I take back what I said about #brightloop, the new router is a massive upgrade",
    "Brightloop bill came in exactly at what they quoted. No mystery fees. Is this what being an "
    "adult is supposed to feel like",
    "My parents are on Brightloop mobile now and for the first time my dad can video call from "
    "the cabin.",
    "Genuinely the smoothest ISP switch I've done. Brightloop\u200b kit arrived Tuesday, online by "
    "Tuesday night.",
    "Love that I can pause my Brightloop mobile line while I'm abroad and not pay for it. Small "
    "thing, big deal.",
    "Speed test on Brightloop gig over ethernet: 941 down / 938 up. I'll take it.",
    "The @brightloop app actually tells you WHY your internet is slow (my microwave, apparently).",
    "Brightloop's outage credit showed up on my bill without me asking. Didn't even know that "
    "was a thing.",
    "Respect to @brightloop for posting the actual root cause after last month's hiccup instead "
    "of 'technical issues'.",
    "Cancelled my old cable plan, moved to bright loop. saving $38 a month and the wifi reaches "
    "the garage",
    "My neighbour kept telling me to try Brightloop. Fine. You were right, Gerald.",
    "Whoever writes the Brightloop status page updates deserves a raise. Clear, timestamped, no "
    "corporate fog.",
    "Called Brightloop about moving house, they had the new place live the day we got the keys.",
    "eSIM activation with @brightloop took literally two minutes in the app. Bye, plastic.",
    "Not to be dramatic but Brightloop saved my marriage. The upstairs office finally has signal.",
    "#brightloop mesh point in the basement and the teenager has emerged from his cave "
    "voluntarily to say thanks. Historic.",
    "Honest review after 1 year of Brightloop: two short outages, both credited, speeds as "
    "advertised. Staying.",
    "The Brightloop rep didn't try to upsell me once. I asked for the cheapest plan that works "
    "and she found it.",
    "@brightloop thanks for the heads-up text before the maintenance window. More of this please.",
    "Six weeks on Brightloop working from home full-time. Zero Teams disconnects. My manager "
    "noticed.",
    "Brightloop customer service in Spanish was so easy for my abuela, she's telling everyone at "
    "church",
    "Bright loop mobile in the mountains this weekend: full bars at the trailhead. Colour me "
    "impressed.",
    "Small business owner here. Brightloop's static IP add-on was set up same day. Card terminal "
    "hasn't flaked since.",
    "Finally an internet company where the cancel page is one button. Not cancelling btw, just "
    "appreciated that Brightloop has it.",
    "Came for the price, stayed because @brightloop support remembers what I said last time.",
    "The brightloop router has a guest network toggle right in the app. My airbnb guests are "
    "happy, I'm happy.",
    "Tried three providers in this building. Brightloop is the only one that doesn't die at 8pm.",
    "big thanks to the @brightloop tech (Marisol!!) who fixed the jack the last installer "
    "butchered",
    "Brightloop family plan: 4 lines, screen-time limits in the app, no arguments. Well, fewer "
    "arguments.",
    "I was ready to hate-post about @brightloop today but the rep fixed it before I finished "
    "typing. Drafts deleted.",
    "Just realised I haven't thought about my internet in months. Best review I can give "
    "Brightloop.",
    "Upload speed on Brightloop means my 40GB video project backed up overnight instead of over "
    "a weekend. Huge for me.",
    "PSA: Brightloop lets you bring your own router. Bridge mode took 5 minutes. Nerd approved.",
    "Brightloop mobile roaming in Mexico worked the second I landed in CDMX. No 'activate your "
    "pass' nonsense.",
    "Support chat at 2am on a Sunday, a human answered in 3 minutes. Brightloop, you're spoiling "
    "me.",
    "Moved my grandma to Brightloop. Her tablet finally loads the church livestream without "
    "buffering.",
    "I rarely praise companies but the Brightloop install crew cleaned up after themselves. "
    "Vacuumed. VACUUMED.",
    "No annual contract, no equipment fee, price as listed. Brightloop is boring in the best way.",
    "Our whole street switched to #brightloop after the fiber went in. The group chat is weirdly "
    "wholesome about it.",
    "@brightloop the new bill layout is so much clearer. I can see exactly what each line costs.",
    "Streamed the whole match in 4K on Brightloop while three roommates gamed. Not one buffer.",
    "brightloop's wifi calling saved me in my dead-zone apartment, calls are crystal clear now",
    "You know a provider is decent when the worst thing I can say is the app's dark mode is too "
    "dark. Good job Brightloop.",
    "Got a proactive credit from Brightloop after a 5-hour outage in my area. Didn't have to "
    "fight for it. Wild.",
    "The tech from @brightloop explained mesh placement like a patient teacher. Thanks Devon.",
    "Brightloop's accessibility line has TTY and the rep was patient with my relay calls. That "
    "matters to me.",
    "A year in: Brightloop price went up a few bucks in October but they emailed a month ahead. "
    "Still the best value around here.",
    "Nothing fancy, just want to say Brightloop has been rock solid for my home lab. 99.9% uptime "
    "by my own monitoring.",
    "Brightloop phone support walked my 78-year-old dad through resetting his voicemail. "
    "Patient saints.",
    "Switched my shop's backup line to a Brightloop mobile hotspot. Saved my Saturday when the "
    "main line blipped.",
    "When the storm knocked out power, my Brightloop mobile kept working and I could check on my "
    "mom. Grateful.",
    "Compared bills with a friend: Brightloop is $22 cheaper for the same speed. Told her to "
    "switch.",
    "Honestly, the @brightloop social team is funny and useful. Rare combination.",
    "Brightloop + a $40 switch = wired backhaul for my mesh. Gigabit in every room. Happy nerd "
    "noises.",
    "Day 1 of Brightloop: the router looks like a smooth river stone and I love it more than I "
    "should",
    "Thank you @brightloop for fixing the DNS issue so quickly last night. My smart bulbs came "
    "back to life.",
    "Getting 480 on the 300 plan with Brightloop. Not complaining lol",
    "I work nights and Brightloop is the only company that scheduled my install at 7pm. Made my "
    "week.",
    "brightloop really said 'no hidden fees' and meant it. first bill = quoted price to the cent",
    "Ported 3 numbers to Brightloop, zero downtime. The rep even warned me about my old carrier's "
    "final bill timing.",
    "If you're on the fence about Brightloop: the 30-day trial is real, I used it, I stayed.",
)

#: Questions, each with the brand's public answer where it gave one.
QUESTIONS: tuple[tuple[str, str | None], ...] = (
    ("Does Brightloop have coverage in Cedar Falls yet? The map is vague around the river.", None),
    (
        "@brightloop is the Home Gig plan symmetrical or just fast download?",
        "Symmetrical: Home Gig is 1 Gbps down and 1 Gbps up, and so is Home 2 Gig at 2 Gbps.",
    ),
    ("Anyone know if Brightloop lets you keep your own router? Don't want to lose my mesh.", None),
    (
        "How do I set up eSIM on a Pixel with Brightloop? App keeps asking for a QR code I don't "
        "have.",
        "No QR code needed on Pixel: in the Brightloop app go to Lines → your line → Switch to "
        "eSIM and it installs directly. Takes about two minutes.",
    ),
    ("Is Brightloop mobile any good in downtown Denver? Thinking of moving my work line.", None),
    (
        "@brightloop what's the difference between Home 300 and Home Gig for a family of five "
        "who stream a lot?",
        "Home 300 handles several 4K streams at once; Gig helps most with big uploads and "
        "downloads. You can try Gig and step down within 30 days, no fee.",
    ),
    ("Moving in January. Can I transfer my Brightloop service or do I need a new account?", None),
    ("Does Brightloop do IPv6? Asking for my home lab.", None),
    (
        "Brightloop users: how long did your install take to get? They're offering me the 28th.",
        None,
    ),
    (
        "Can I pause my Brightloop line for 2 months while I'm travelling? @brightloop",
        "Yes: a line can be paused for up to 3 months a year at no charge. Settings → Lines → "
        "Pause in the app.",
    ),
    ("Is there a student discount on Brightloop mobile or am I dreaming", None),
    (
        "How do I enable bridge mode on the Brightloop Loop Hub? Manual says 'advanced settings' "
        "but I can't find it.",
        None,
    ),
    ("@brightloop do you support wifi calling on iPhone 13?", "We do, on every plan."),
    ("Has anyone used Brightloop mobile roaming in Japan? Does it just work?", None),
    ("What's the upload speed on Brightloop's 300 plan? Website only shows download.", None),
    (
        "Brightloop question: if I add a mobile line to my home internet, does the discount "
        "apply immediately?",
        None,
    ),
    ("Is Brightloop available in apartments or only houses? Our landlord says 'maybe'.", None),
    (
        "@brightloop how do I change my wifi password in the app? The tutorial shows an old "
        "screen.",
        None,
    ),
    ("Anybody compared Brightloop vs the cable co in Riverside for gaming latency?", None),
    ("Does bright loop have a business plan with static IPs?", None),
    (
        "@brightloop can I get paper bills? My mom doesn't do email.",
        "Yes, paper bills are free. Call us or switch it under Billing → Preferences.",
    ),
    ("Thinking about Brightloop. How bad is the evening slowdown people mention, honestly?", None),
    (
        "How does Brightloop's outage credit work? Do I have to request it?",
        "No request needed: outages of 4 hours or more are credited automatically on your next "
        "bill.",
    ),
    ("What router does Brightloop give you now? Is it wifi 7?", None),
    ("@brightloop is there a way to set parental controls per device, not per network?", None),
    ("Anyone on Brightloop in Northgate: did you get the new fiber or still the old lines?", None),
    (
        "Brightloop: how many devices can the Loop Hub handle? We're at ~45 with the smart home "
        "stuff.",
        None,
    ),
    ("Any Brightloop customers using Starlink as backup? Curious about failover setups.", None),
    (
        "@brightloop do you offer a low-income plan? Asking for a neighbour.",
        "We do: Loop Basics is $15/mo for 100 Mbps for households on assistance programmes.",
    ),
    ("When does Brightloop bill? Start of the month or on your signup date?", None),
    ("Does Brightloop mobile work with a Fairphone? It's not on the compatibility list.", None),
    ("Is the #brightloop 30-day trial for mobile too, or only home internet?", None),
    ("How do you get a Brightloop tech to move the fiber box? Ours is in the worst corner.", None),
    ("Anyone know if brightloop does port forwarding in the app or only the web portal?", None),
    ("@brightloop hi! Can I add a line for my teenager with data limits I control?", None),
    ("Brightloop in rural Vermont, anyone? Their map says yes but I've been burned before.", None),
    ("Quick one: does hotspot count against anything on Brightloop's unlimited plan?", None),
    ("Planning to work from my parents' place for a month. Can I take my Brightloop router?", None),
    ("@brightloop is there a way to see historical speed tests in the app?", None),
    ("What DNS does Brightloop use by default and can I change it on the Loop Hub?", None),
    ("Does Brightloop charge to upgrade from 300 to Gig mid-month or is it prorated?", None),
    ("Deciding between Brightloop and the fiber co-op. What's Brightloop support like?", None),
    ("@brightloop are you doing any Black Friday deals on mobile lines?", None),
    ("Does Brightloop have international calling included or is it an add-on?", None),
    ("Does Brightloop put you behind CGNAT? Need inbound connections for a game server.", None),
    ("Anyone on Brightloop Home 2 Gig? Worth it without 2.5G gear at home?", None),
    ("If my Brightloop router dies, do they ship a new one or do I go to a store?", None),
    (
        "@brightloop I'm deaf. Is there text support with a person, not just the chatbot?",
        "Yes: type 'agent' in chat for a person any time, or text 'HELP' to 4040 from your "
        "Brightloop line.",
    ),
    ("What time does Brightloop usually schedule maintenance? Planning a live stream.", None),
)

#: Reddit questions that drew answers from other users, not from the brand.
COMMUNITY_THREADS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "HomeNetworking",
        "Brightloop Loop Hub in bridge mode with a UniFi gateway?\n\nAnyone running this? Want "
        "to make sure I don't lose IPv6 or get double NAT.",
        (
            "Works fine here. Bridge mode in the app under Advanced, reboot, done. You get a /56.",
            "Same setup. One tip: power-cycle the UniFi after the Hub comes back up or it keeps "
            "the old lease.",
        ),
    ),
    (
        "Brightloop",
        "Is Brightloop worth it in Riverside? Coming from the cable company.",
        (
            "Been on it 8 months in Riverside. Evenings are fine for me, maybe a dip on Sunday "
            "nights.",
            "Go for it, the 30-day trial means you're not stuck.",
            "Only gripe is the app is a bit slow, the internet itself has been great.",
        ),
    ),
    (
        "Portland",
        "Brightloop vs the fiber co-op for a small apartment in Sellwood?",
        (
            "Co-op doesn't serve most of Sellwood yet. Brightloop does. Easy choice.",
            "I've had Brightloop in Sellwood for 2 years. Solid.",
        ),
    ),
)

NEUTRAL: tuple[str, ...] = (
    "Brightloop van in our street today, looks like they're finally laying fiber on Elm.",
    "Read the Brightloop transparency report. Fewer government data requests than I expected.",
    "Brightloop is sponsoring the library's free coding club this winter.",
    "Does anyone else get Brightloop ads on every podcast now?",
    "Brightloop's CEO was on local radio talking about rural expansion. 40 new towns by 2028, "
    "apparently.",
    "Overheard at the coffee shop: two people arguing about whether Brightloop or the cable "
    "company is worse. Both had points.",
    "Brightloop announced Home 2 Gig for Austin. We'll see.",
    "New Brightloop store opened at the mall. Mostly phones and a very shiny router display.",
    "My bill says Brightloop Communications LLC now instead of BL Networks. Rebrand?",
    "The Brightloop network status page has an RSS feed, for those who like that sort of thing.",
    "Switched my parents to Brightloop yesterday, will report back in a month.",
    "Brightloop billboard on I-5 just says 'Your internet should be boring.' Bold strategy.",
    "Filling in a Brightloop survey about rural coverage. If you're in the valley, worth doing.",
    "Brightloop and the city council signed the open-access deal for the downtown conduit.",
    "Got my first Brightloop bill. It's... a bill. Nothing to report.",
    "Testing the Brightloop mobile trial this week alongside my current carrier. Notes to follow.",
    "bright loop sent a tech to check the pole outside, apparently routine",
    "Brightloop is hiring field techs in Boise according to the job board, if anyone's looking.",
    "Brightloop\u2060 quarterly results: subscriber growth 6%, churn down. Make of that what "
    "you will.",
    "Apparently the Brightloop router is made by the same folks who did the old Nestwave kits.",
)

COMPLAINTS: tuple[str, ...] = (
    "Brightloop internet has dropped four times since lunch. I work from home. This is not cute.",
    "@brightloop waited 47 minutes on hold to be told to restart my router. I had restarted the "
    "router.",
    "Every night around 9pm my Brightloop speeds fall off a cliff. 900 at noon, 60 at 9. Why?",
    "Install window was 8-12. It is 2:15. No call, no tech. @brightloop",
    "The Brightloop app logged me out again and now wants a code sent to a number I don't have.",
    "My Brightloop bill has a 'service adjustment' line I never agreed to. What is that?",
    "Brightloop mobile signal inside my office building is basically decorative.",
    "Third tech visit for the same problem. Each one says the last one did it wrong. "
    "@brightloop pick one story.",
    "Paid for Gig, getting 220 on ethernet. Brightloop chat says 'results may vary'. Vary by 75%??",
    "brightloop email says my autopay failed. My bank says it went through. Now I have a late fee.",
    "Can't reach a human at Brightloop about a moving order, the callback never came. Twice.",
    "The Loop Hub reboots itself at 3am for 'updates' and kills my overnight downloads. Brightloop "
    "please let me schedule it.",
    "@brightloop why does my wifi calling stop working every time the app updates?",
    "Ordered the Brightloop mesh add-on 2 weeks ago, still 'processing'. Is it being hand-carved?",
    "Brightloop rep promised a callback 'within the hour' on Tuesday. It is Thursday.",
    "Latency spikes on Brightloop every evening are wrecking my ranked games. 12ms to 180ms.",
    "Why does Brightloop make me call to change plans when I signed up online in 5 minutes?",
    "My Brightloop mobile data just stops in the subway. Other carriers' phones work fine next "
    "to me.",
    "Got charged twice for November by Brightloop. Chat says 5-7 business days to fix. Taking it "
    "took one second.",
    "Brightloop outage map says 'no known issues' while my whole building is offline. Sure.",
    "The Brightloop installer drilled through my brand new siding without asking. Not thrilled.",
    "@brightloop your coverage checker says yes, the sign-up page says no. Which is it?",
    "brightloop port-in failed twice and now my old number is in limbo. No 2FA codes for anything.",
    "\ufeffDNS on Brightloop has been flaky all week, sites half-load and then time out.",
    "Called Brightloop to ask about my bill and got transferred 4 times. Four.",
    "The Brightloop router doesn't reach the second floor of a normal-sized house. Had to buy an "
    "extender.",
    "Three weeks after cancelling my second line, Brightloop still billed me for it.",
    "@brightloop trying to return the old router and the store won't take it. Where do I send it?",
    "Brightloop switched me to paperless and I never got the email. Now I'm overdue.",
    "Brightloop upload speeds have been garbage since the maintenance last Wednesday.",
    "Bought a phone through Brightloop and it arrived locked to the wrong network. How.",
    "The Brightloop chat agent closed my session mid-sentence. Third time.",
    "Why does Brightloop send me 5 promo texts a week when I opted out of marketing?",
    "Brightloop wifi in the kids' room is 2 bars max and the mesh upsell is $10/mo. C'mon.",
    "Brightloop tech no-showed, then I got a survey asking how the visit went.",
    "Working from home and Brightloop goes down at 10am on a Thursday. Peak timing.",
    "Hey @brightloop, the app's speed test and my laptop's disagree by 400 Mbps.",
    "Still no fiber in our cul-de-sac even though Brightloop said 'Q3'. It's November.",
    "Brightloop's hold music is one 12-second loop. I've heard it 200 times.",
    "Every Brightloop bill is a surprise. Different number every month for the same plan.",
    "Brightloop mobile drops to dial-up speeds in my neighbourhood after 6pm.",
    "My old brightloop email address stopped receiving mail and support says they 'don't support "
    "email anymore'?",
    "Wish Brightloop would fix the app's notification spam. I don't need to know my router is "
    "'happy'.",
    "@brightloop I've sent my details three times in DM, nobody responds.",
    "Brightloop gave me a $20 credit for a missed appointment. I took a day off work for it.",
    "Was promised a free mesh point when I signed up with Brightloop. Now the promo 'ended'.",
    "My Brightloop router's 5GHz band disappears a few times a day. Resets don't help.",
    "Why is my brightloop bill higher than the price on your website for new customers?",
    "Brightloop wifi calling sounds robotic half the time.",
    "Waited home all day for Brightloop. Tech came at 4:58 for an 8-5 window and said he's out "
    "of time.",
    "the brightloop 'smart wifi' kicks my printer off the network every single day",
    "Every time I call Brightloop they verify the same 4 things, transfer me, then ask again.",
    "Brightloop keeps pushing me to upgrade to Gig when the problem is their network, not my plan.",
)

#: (claim_id, text, the brand's correction or None, the critic's follow-up or None).
COUNTERFACTUAL: tuple[tuple[str, str, str | None, str | None], ...] = (
    (
        "cancel_fee",
        "Heads up: Brightloop charges a cancellation fee if you leave before a year. Read the "
        "fine print, folks.",
        "There's no cancellation fee on any Brightloop plan; everything is month-to-month. If a "
        "fee showed up on a bill, DM us and we'll fix it. ^MR",
        "oh. my sister told me that. guess she was thinking of her old provider, thanks",
    ),
    (
        "cancel_fee",
        "Wanted to cancel Brightloop and they hit me with a $150 early termination fee. Never "
        "again.",
        "We don't charge early termination fees at all, so a $150 charge shouldn't exist. "
        "Could you DM us the account email? We'll find out what that line is. ^JT",
        None,
    ),
    (
        "cancel_fee",
        "Don't sign up with Brightloop unless you're sure. Leaving costs a cancellation fee.",
        None,
        None,
    ),
    (
        "throttle_50gb",
        "Brightloop throttles you after 50GB. 'Unlimited' my foot.",
        "Our plans have no cap and no throttling at any usage. If speeds drop late in the month, "
        "that's a fault we'd like to find. Wifi or wired? ^AK",
        None,
    ),
    (
        "throttle_50gb",
        "Anyone else notice Brightloop slows everything down once you pass like 50 gigs? Mine "
        "crawls by the 20th.",
        None,
        None,
    ),
    (
        "throttle_50gb",
        "FYI Brightloop 'unlimited' mobile gets throttled after 50GB, my cousin works in telecom "
        "and confirmed it.",
        None,
        None,
    ),
    (
        "throttle_50gb",
        "gaming downloads on brightloop: fast for the first 50GB then throttled to nothing. "
        "classic.",
        None,
        None,
    ),
    ("price_up_40", "Brightloop just raised prices 40%. Forty. In this economy.", None, None),
    (
        "price_up_40",
        "My Brightloop bill went up 40% overnight and not a single email about it.",
        "The October change was 5% on Home plans and we emailed in September. A bigger jump "
        "usually means an intro price ended; DM us and we'll check your plan. ^DL",
        "ok it was the promo ending. still annoying but that's on me for not reading",
    ),
    (
        "price_up_40",
        "Can't believe @brightloop hiked prices by 40% and thinks nobody noticed.",
        None,
        None,
    ),
    (
        "price_up_40",
        "Brightloop prices went up like 40 percent this fall, anyone else switching?",
        None,
        None,
    ),
    (
        "no_outage_credit",
        "Brightloop doesn't refund you for outages. You pay for the day whether it works or not.",
        "Outages of 4 hours or more are credited automatically on the next bill, no claim "
        "needed. ^MR",
        None,
    ),
    (
        "no_outage_credit",
        "Asked Brightloop about a refund for the 6 hours I was down and they said outages aren't "
        "refundable.",
        None,
        None,
    ),
    (
        "no_outage_credit",
        "Pro tip: Brightloop gives zero credit for outages, so document everything and dispute it "
        "with your bank.",
        None,
        None,
    ),
    (
        "two_year_contract",
        "Brightloop locks you into a 2-year contract, that's why they can treat people like this.",
        None,
        None,
    ),
    (
        "two_year_contract",
        "Careful, Brightloop has a 24-month contract hidden in the signup. I'm stuck till 2028.",
        "There are no contracts on any Brightloop plan; you can leave any month. If your "
        "paperwork says otherwise, send it our way, we'd genuinely like to see it. ^AK",
        "huh. ok, found the email, it says month-to-month. I was thinking of the phone "
        "installment plan",
    ),
    (
        "two_year_contract",
        "Can't leave Brightloop, signed a two year contract without realising it.",
        None,
        None,
    ),
    (
        "router_fee",
        "Brightloop sneaks a $15/month router rental fee onto your bill. 'Included' apparently "
        "means 'rented'.",
        "The Loop Hub is included; there's no rental fee on any plan. If you see a $15 line, "
        "it may be a mesh add-on. DM us and we'll check. ^JT",
        None,
    ),
    (
        "router_fee",
        "That 'free' Brightloop router? $12.99 a month equipment fee. Check your bill.",
        None,
        None,
    ),
    ("router_fee", "Why am I paying Brightloop rent on a router I never asked for", None, None),
    (
        "bots_only_support",
        "There are no humans at Brightloop support. Just a chatbot sending you in circles.",
        None,
        None,
    ),
    (
        "bots_only_support",
        "Brightloop got rid of phone support completely. It's bots all the way down.",
        None,
        None,
    ),
    (
        "bots_only_support",
        "@brightloop is there a single human being working there or is it 100% chatbot now?",
        "Hi, human here. Phone and chat both have people 24/7; type 'agent' in chat to skip "
        "the bot. ^DL",
        None,
    ),
    (
        "sells_data",
        "Brightloop sells your browsing history to advertisers. Use a VPN or leave.",
        None,
        None,
    ),
    (
        "sells_data",
        "Read that Brightloop sells customer browsing data to ad networks. Is anyone surprised?",
        "We don't collect or sell browsing data; it's section 4 of the privacy policy, in plain "
        "words. ^MR",
        None,
    ),
    (
        "sells_data",
        "Reminder that ISPs like Brightloop sell every site you visit to marketers.",
        None,
        None,
    ),
    ("no_esim", "Brightloop doesn't support eSIM in 2026. Welcome to the stone age.", None, None),
    (
        "no_esim",
        "Can't use Brightloop with my new phone because they don't do eSIM. Unbelievable.",
        "We do support eSIM on every plan. In the app: Lines → Switch to eSIM. If your phone "
        "isn't listed, tell us the model. ^AK",
        "oh it's in the app?? ok that worked. thanks",
    ),
    (
        "no_esim",
        "Switching carriers because Brightloop still doesn't support eSIM and my phone has no SIM "
        "tray.",
        None,
        None,
    ),
    (
        "install_fee",
        "Brightloop charges $199 for installation. Their ads conveniently don't mention it.",
        None,
        None,
    ),
    (
        "install_fee",
        "$199 install fee from Brightloop for 40 minutes of work. Nice gig.",
        None,
        None,
    ),
    (
        "install_fee",
        "Wanted Brightloop but the $199 install fee killed it for me.",
        "Standard installation is free, and so is the self-install kit. If you were quoted $199, "
        "that sounds like a third-party reseller. DM us. ^JT",
        None,
    ),
)

SARCASM: tuple[str, ...] = (
    "Fantastic, the wifi died during the one call that mattered. Love paying Brightloop for "
    "nothing 🙃",
    "Wow @brightloop, 12 Mbps at 8pm. Truly living in the future.",
    "Nothing says 'premium service' like an hour of Brightloop hold music. I'm so relaxed now.",
    "Brightloop wifi is like my ex: great at first, then gone when I need it.",
    "Oh good, the Brightloop app updated and now the bill is even harder to find. Incredible "
    "design.",
    "Love how Brightloop's 'gig' internet turns into a dial-up tribute act every evening. Very "
    "retro.",
    "Shoutout to Brightloop for teaching me patience. 40 seconds to load an email. Zen master "
    "level unlocked.",
    "Can't wait for my next Brightloop bill to find out what my plan costs this month. It's like "
    "a lottery!",
    "@brightloop thank you SO much for the 'planned maintenance' during the one meeting I "
    "couldn't miss. So thoughtful.",
    "Brightloop: because who needs internet on a Sunday anyway?",
    "Cool cool cool, my Brightloop appointment got moved for the fourth time. Waiting is my hobby "
    "now.",
    "Nothing like a Brightloop outage to make you go outside and touch grass. Thanks for the "
    "wellness programme.",
    "Brightloop support is so efficient they close your ticket before fixing anything.",
    "10/10 would recommend Brightloop to my worst enemy.",
    "Oh look, Bright\u200cloop is down again. Must be a day ending in y.",
    "Brightloop said 'unlimited data' and gave me unlimited buffering. Technically correct.",
    "Loving the new Brightloop feature where my video calls turn into slideshows. Very artsy.",
    "Great job @brightloop, my smart fridge has better uptime than your network.",
    "Bright loop? More like dim loop. I'll see myself out.",
    "The Brightloop status page says 'all systems operational'. Inspirational fiction, love it.",
    "So glad I pay Brightloop for 'priority support' so I can be 14th in the queue instead of "
    "15th.",
    "Another evening, another Brightloop speed test in the double digits. What a treat 🎉",
)

#: Emoji-heavy posts: (sentiment, tags, text).
EMOJI: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("positive", ("praise",), "🚀🚀🚀 Brightloop gig speeds hitting 940 🔥🔥 so happy 😍"),
    ("negative", ("complaint",), "😤😤 @brightloop wifi dropped AGAIN 📉📉📉"),
    ("positive", ("praise",), "📦➡️🏠➡️⚡ Brightloop kit arrived, plugged in, online in 10 min ✅✅"),
    ("neutral", ("question",), "🤔🤔 is #brightloop worth it? 💸💸"),
    ("positive", ("praise",), "🙏🙏🙏 thank you @brightloop support 💙💙"),
    ("negative", ("complaint",), "🐌🐌🐌 brightloop tonight 🐌🐌🐌"),
    ("positive", ("praise",), "🎮🎮 + Brightloop = 😎 no lag 🏆"),
    ("positive", ("praise",), "👨‍👩‍👧‍👦 family plan on Brightloop 📱📱📱📱 everyone happy ✨"),
    ("positive", ("praise",), "💯💯 Brightloop mobile up in the mountains ⛰️📶📶"),
    ("positive", ("praise",), "☕💻📶 Brightloop WFH setup = chef's kiss 🤌🤌"),
    ("negative", ("complaint",), "💸💸💸 why is my #brightloop bill 💸💸💸"),
    ("positive", ("praise",), "🥳🥳 fiber day!! Brightloop install done 🎉🎉🎉"),
)

#: Posts in other languages: (lang, sentiment, tags, claim_id, text).
FOREIGN: tuple[tuple[str, str, tuple[str, ...], str | None, str], ...] = (
    (
        "es",
        "neutral",
        ("question",),
        None,
        "¿Alguien sabe si Brightloop tiene cobertura en Chula Vista? Quiero cambiarme.",
    ),
    (
        "es",
        "positive",
        ("praise",),
        None,
        "Llevo tres meses con Brightloop y la verdad, cero quejas. La instalación fue rapidísima.",
    ),
    (
        "es",
        "negative",
        ("complaint",),
        None,
        "@brightloop me cobraron dos veces este mes y nadie me contesta en el chat. ¿Qué pasa?",
    ),
    (
        "es",
        "negative",
        ("complaint", "counterfactual"),
        "cancel_fee",
        "Ojo: Brightloop cobra una penalización por cancelar antes del año. Leed la letra pequeña.",
    ),
    (
        "es",
        "positive",
        ("praise",),
        None,
        "El soporte de Brightloop en español es excelente, me atendió una persona muy amable 🙌",
    ),
    (
        "es",
        "negative",
        ("complaint", "sarcasm"),
        None,
        "Qué maravilla, Brightloop caído otra vez justo cuando tengo que entregar un trabajo 🙃",
    ),
    (
        "de",
        "neutral",
        ("question",),
        None,
        "Funktioniert Brightloop Mobile beim Roaming in Deutschland? Fliege nächste Woche nach "
        "München.",
    ),
    (
        "de",
        "negative",
        ("complaint", "counterfactual"),
        "throttle_50gb",
        "Brightloop drosselt nach 50 GB. Das ist doch kein Unlimited-Tarif.",
    ),
    (
        "de",
        "positive",
        ("praise",),
        None,
        "Ehrlich gesagt: Der Brightloop-Support hat mein Problem in zehn Minuten gelöst. Respekt.",
    ),
    (
        "de",
        "negative",
        ("complaint",),
        None,
        "@brightloop seit zwei Tagen kein Internet und keiner ruft zurück. So nicht.",
    ),
    (
        "de",
        "neutral",
        ("question",),
        None,
        "Kann man bei Brightloop den Router in den Bridge-Modus schalten? Die Anleitung gibt es "
        "nur auf Englisch.",
    ),
    (
        "fr",
        "negative",
        ("complaint", "counterfactual"),
        "price_up_40",
        "Brightloop a augmenté ses prix de 40 %, c'est du vol.",
    ),
    (
        "fr",
        "neutral",
        ("question",),
        None,
        "Quelqu'un a testé Brightloop à Gatineau ? Le site dit que c'est disponible.",
    ),
    (
        "fr",
        "positive",
        ("praise",),
        None,
        "Franchement, très contente de Brightloop. Fibre stable, prix correct, pas de mauvaises "
        "surprises.",
    ),
    (
        "fr",
        "negative",
        ("complaint",),
        None,
        "@brightloop le chat me renvoie toujours vers la FAQ. Je veux parler à quelqu'un !",
    ),
    (
        "fr",
        "negative",
        ("complaint", "sarcasm"),
        None,
        "Génial, encore une coupure Brightloop pendant mon appel client. Merci beaucoup. 🙃",
    ),
    (
        "pt",
        "neutral",
        ("question",),
        None,
        "Alguém usa a Brightloop em Newark? Estou pensando em mudar de operadora.",
    ),
    (
        "pt",
        "neutral",
        ("question",),
        None,
        "A Brightloop cobra multa de cancelamento? Vi gente dizendo que sim.",
    ),
    (
        "pt",
        "positive",
        ("praise",),
        None,
        "Atendimento da Brightloop foi ótimo hoje, resolveram meu problema do roteador "
        "rapidinho 👏",
    ),
    (
        "pt",
        "negative",
        ("complaint",),
        None,
        "A internet da Brightloop cai toda noite às 21h. Já liguei três vezes.",
    ),
    (
        "pt",
        "negative",
        ("complaint", "counterfactual"),
        "sells_data",
        "A Brightloop vende seus dados de navegação para anunciantes, fiquem espertos.",
    ),
    (
        "ja",
        "positive",
        ("praise",),
        None,
        "Brightloopのモバイル回線、日本でのローミングは問題なく使えました。助かった！",
    ),
    (
        "ja",
        "neutral",
        ("question",),
        None,
        "Brightloopって解約金かかるんですか？契約前に知りたいです。",
    ),
    (
        "ja",
        "negative",
        ("complaint",),
        None,
        "@brightloop 夜になると速度が極端に落ちます。改善の予定はありますか？",
    ),
    (
        "ja",
        "negative",
        ("complaint",),
        None,
        "Brightloopのサポート、チャットがずっとボットで人間につながらない…",
    ),
    (
        "ja",
        "positive",
        ("praise",),
        None,
        "Brightloop最高！ルーターの設定が簡単すぎてびっくりした 😊",
    ),
    (
        "ar",
        "neutral",
        ("question",),
        None,
        "هل تغطي شبكة Brightloop مدينة ديربورن؟ أفكر في الاشتراك.",
    ),
    (
        "ar",
        "positive",
        ("praise",),
        None,
        "خدمة عملاء Brightloop كانت ممتازة اليوم، شكرًا لكم @brightloop",
    ),
    (
        "ar",
        "negative",
        ("complaint",),
        None,
        "الإنترنت من Brightloop ينقطع كل مساء، هذا غير مقبول.",
    ),
    (
        "ar",
        "negative",
        ("complaint", "counterfactual"),
        "price_up_40",
        "Brightloop رفعت الأسعار بنسبة 40٪ بدون أي إشعار!",
    ),
    ("ar", "positive", ("praise",), None, "أحب تطبيق Brightloop الجديد، سهل جدًا 👍"),
)

#: Texts a board must show inert: (sentiment, tags, text). Trolls post two more.
HOSTILE: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "positive",
        ("praise", "hostile_markup"),
        "**Brightloop** support was honestly [great](javascript:alert(1)) today",
    ),
    (
        "negative",
        ("complaint", "hostile_markup"),
        '<a href="javascript:alert(document.cookie)">Brightloop outage map</a> is useless',
    ),
    (
        "neutral",
        ("hostile_markup",),
        "![x](https://evil.example/pixel.png) Brightloop review coming soon",
    ),
    ("neutral", ("formula",), '=HYPERLINK("http://evil","x") Brightloop refund form'),
    ("neutral", ("formula",), "+cmd|' /C calc'!A0 brightloop"),
    (
        "negative",
        ("complaint", "formula"),
        "@SUM(1+1) @brightloop why is my bill different every month",
    ),
    ("negative", ("complaint", "formula"), "-2+3 stars for Brightloop, the app keeps crashing"),
)
