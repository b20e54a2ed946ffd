"""Long Reddit posts (2,000 to 6,000 characters): reviews, a post-mortem, a farewell, a rant."""

from __future__ import annotations

DOUBLE_BILLING_FOLLOW_UP = """\
Follow-up: how my Brightloop double-billing got fixed (and what I'd tell anyone moving)

A few of you asked in my last two posts how the double charge thing ended, so here's the whole \
story in one place. Long post, sorry. TL;DR at the bottom.

**Background.** I moved across town on November 1st. I did what Brightloop's website says to \
do: opened a transfer order about two weeks ahead, picked an install date for the new place, and \
got a confirmation email that said my old address would "close automatically on your move date". \
Install at the new place went fine. Tech was on time, took about 40 minutes, and I was online the \
same afternoon. No complaints there at all.

**The problem.** On the 3rd my autopay took two full Home 300 charges, $45 each. One for the new \
address, one for the old address, which was supposed to be closed. I opened a chat, and the first \
agent told me it would "sort itself out on the next cycle". I don't love paying $45 for internet \
at an apartment someone else now lives in, so I posted here, and then again two days later when \
autopay had actually cleared both charges and nothing had sorted itself out.

**What actually fixed it.** u/brightloop replied in the thread, asked me to send the account \
email through modmail, and came back the same afternoon with an explanation that made sense: my \
transfer order had been split into two orders by their system (one "new service", one \
"disconnect"), and the disconnect half never got the move date. So from the computer's point of \
view, I just had two homes. They closed the old account back-dated to October 31st, refunded the \
$45 to my card, and added a $15 credit for the hassle. The refund showed up three days later, \
which is what they said.

**Things I'd tell anyone moving with Brightloop:**

1. After you submit a transfer, check the app. You should see ONE order with two steps. If you \
see two separate orders, ask them to link them. Apparently this is the known way it goes wrong.
2. Take a screenshot of the confirmation email with the move date. Made it easy to prove what I \
was promised.
3. Don't bother arguing with the first-line chat about billing. Ask for the billing team, or post \
publicly and tag them. I hate that posting publicly works better, but it did, and they were nice \
about it.
4. If you're on autopay, turn it off for the month of the move. I'm serious. Turn it back on \
once you see one correct bill.

**Would I stay?** Yes. The service itself has been great since the move: I get 330-ish on the 300 \
plan over wifi, calls are stable, and I haven't had a single drop. The billing system is clearly \
held together with tape somewhere, but the people who finally looked at it were quick, didn't \
make me repeat myself five times, and owned the mistake instead of blaming me for "not cancelling \
correctly".

Also, credit where it's due: someone from their team messaged me a week later to check that the \
refund had landed. Nobody has ever done that for me with any other provider. Small thing, but it \
changed how I feel about the whole mess.

**TL;DR:** Moving split my transfer into two orders, old address kept billing, Brightloop refunded \
it plus a small credit once a real person looked. Check your orders in the app after you move, \
and turn off autopay for that month.

Edit: thanks for the awards, and no, I don't work for them. I was annoyed enough to post twice!
"""

OUTAGE_PSA = """\
PSA: the Brightloop outage on Monday: timeline, what we know, and how the credit works

I've seen a lot of confused posts about Monday's Brightloop outage, so I pulled together what I \
could find from their status page, their posts, and the local news. I'm not affiliated with them, \
just a nerd who keeps a spreadsheet. Corrections welcome.

**Timeline (all times Pacific):**

- ~7:00 am: first reports in Portland, Vancouver WA and Salem. Home internet down, and for a lot \
of people Brightloop mobile data went too (calls mostly worked, data didn't).
- 7:40 am: Brightloop posts "we're aware of an outage affecting customers in Oregon and \
Washington". Status page still showed green for a while after that, which didn't help anyone's \
mood.
- 8:30 am: update says it's a fiber cut on a regional backbone link plus a routing problem that \
pushed traffic onto a path that couldn't handle it. That explains why Seattle and Tacoma went \
down even though the cut was south of Portland.
- 9:45 am: traffic partly rerouted, some people back, most still down.
- 11:10 am: crews splicing the cut.
- 12:45 pm: "service restored for all affected customers". Most people in my neighbourhood group \
chat were back between 12:15 and 12:45.

So roughly five and a half hours for the worst-hit areas, less for some.

**The money question.** I've seen a lot of "Brightloop doesn't give refunds for outages" here and \
elsewhere. That's not right, and I checked it with my own bill from the outage back in August: \
outages of **4 hours or more are credited automatically** on your next bill. You don't have to \
call, chat or fill in a form. The credit is one day's charge per day affected. For Home Gig at \
$65 a month that's about $2.17, which is not much, but it's automatic. If your area was down for \
less than 4 hours, you won't get the automatic credit, but people in the thread from August said \
support would give a goodwill credit if you asked.

If your business lost more than that (several of you run shops on their lines), the automatic \
credit obviously doesn't cover it. Their business plans have an SLA with bigger credits, the \
residential plans don't. Worth knowing if you run a card reader off a home plan.

**Things I learned:**

1. The Loop Hub's red light means "no signal from the network", not "your router is broken". \
Rebooting it during a regional outage does nothing. The support bot telling everyone to reboot \
was not great.
2. Brightloop mobile shares some of the same backbone. If your backup plan for home internet is \
a Brightloop phone hotspot, that's not really a backup.
3. The status page lagged reality by about 40 minutes. Their social accounts were faster.
4. Call volume was apparently ten times normal. Hold times were awful. If it happens again, the \
app's outage banner and their posts are faster than calling.

**What I'd like them to do:** a proper post-mortem with what they're changing so a single cut \
can't take out two states, and a status page that goes red when the first hundred people report \
it, not when the engineers confirm it. They said a report is coming "within two weeks". I'll \
update this post when it lands.

Stay warm out there. Edit: fixed the 9:45 time, thanks u/SleepyHeron.
"""

LEAVING = """\
Why I'm leaving Brightloop after four years

I've been a Brightloop customer since they first lit up our street, and I defended them in this \
sub more times than I can count. I'm done now, and since I was one of the loud fans, I think I \
owe this sub an explanation.

First, the good, because it was real. The first two years were great. Install was free and \
quick, speeds were what they said, and support actually knew what a DNS server was. When my \
router died in 2024 they overnighted a new one without making me jump through hoops. I \
recommended them to my sister, my neighbours, and two coworkers.

Then it slowly got worse. Evening speeds started sagging last winter. Not dramatically, just \
enough that video calls after dinner got choppy. Support's answer was always the same: reboot, \
check the wifi, maybe upgrade to Gig. I'm on ethernet. I don't need Gig. I need the 300 I pay for \
to be 300 at 8pm.

This fall it got properly bad. I had three outages in six weeks, one of them nine hours long. \
The status page said everything was fine for most of it. I had to find out from a neighbour that \
the whole block was down. Then the price went up in October, and yes, I know it was "only" 5%, \
but raising prices while the service is getting worse is a choice.

The final straw was support. I spent 50 minutes on hold last week to ask why my evening speeds \
were a third of what they should be, and the person I got read me a script about wifi \
interference. I said I'm wired. She said to try restarting. I asked for escalation and got a \
ticket number. That ticket has been "in progress" for nine days.

So I'm leaving. The fiber co-op finally reached our street, and I'm switching next week. What \
really gets me is that Brightloop is going to charge me a cancellation fee on the way out, after \
four years of paying on time. I read that they charge one if you cancel "without notice", and \
they want thirty days of notice on top. So I get to pay for a month of a service I'm not using, \
as a thank-you for four years of loyalty.

Some advice for anyone in the same spot:

- Document your evening speed tests over a couple of weeks. Wired, not wifi. Screenshots with \
timestamps. It's the only thing that got any reaction from them.
- Ask for the outage credit if they don't apply it. I never checked my bills closely enough to \
see if I got them.
- Return your router in person and get a receipt. I've heard stories about "unreturned \
equipment" charges months later.
- Check whether a co-op or municipal provider has reached you. Ours doesn't advertise at all, I \
only found out from a flyer in the library.

I don't hate Brightloop. I think they grew faster than their support team and their network in \
our area, and nobody upstairs wants to hear it. If someone from the company reads this: the \
people on your phones are trying, but they have nothing to work with. Give them the tools to fix \
things instead of scripts to read.

Anyway. Four years, a lot of good ones. Goodbye, Brightloop.
"""

HONEST_REVIEW = """\
Six months on Brightloop Home Gig: an honest, boring review

I switched from the cable company to Brightloop in May and promised a couple of people in the \
Discord a proper write-up after six months. Here it is. Setup: three-bedroom house, two adults \
working from home, one teenager who games, around 40 devices, a home server in the closet.

**Install.** Booked online, got a slot four days out. The tech arrived in the first half hour of \
the window, ran the fiber along the existing cable route, mounted the box outside, and put the \
ONT in the closet next to my rack because I asked nicely. About 90 minutes total. No install fee, \
which the cable company had wanted $99 for. He also left the spare patch cables, which I'll take.

**Speeds.** Wired to the Loop Hub: 930-945 down and 920-940 up, any time of day. I ran a speed \
test every 30 minutes for the first two months with a little script, and the lowest I logged was \
810 down at 9pm on a Sunday. Over wifi 6 in the same room I get 600-700, upstairs 350-450. That's \
the router, not the line.

**Latency.** 4-6 ms to the nearest Cloudflare node, 18-25 ms to the game servers my kid cares \
about. Bufferbloat test gives an A. The cable connection used to get a C and spike to 200 ms \
whenever someone uploaded photos.

**Reliability.** Two outages in six months. One was 20 minutes of planned maintenance at 2am \
that they texted about a week ahead. The other was about 5 hours in August when a construction \
crew cut a line. Status page acknowledged it within half an hour and the credit appeared on my \
next bill without me asking. Compared with cable, where I had a dropout basically every week, \
this is a different world.

**Router.** The Loop Hub is fine. Wifi 6, decent range, a clean app. Bridge mode works and hands \
through a /56 for IPv6, which was my main worry. If you have a big house, you'll want the mesh \
point or your own mesh. I ended up using my own access points with the Hub in bridge mode and \
it's been flawless.

**Billing.** $65 a month, which was $62 until the October price change (they emailed a month \
ahead). No equipment fee, no contract, no "network fee" surprise line. My bill is literally the \
number on the website plus tax. The cable company was $89 plus $14 for the modem plus a \
"broadcast fee" for TV I didn't have.

**Support.** I've contacted them three times. Once to move the ONT after a renovation (free, \
booked within a week), once to ask about a static IP (it's a $10 add-on, fine), once during the \
August outage (40-minute hold, which was the worst of it). Chat has a bot up front but typing \
"agent" gets you a person.

**Downsides, to be fair:**

- The app is slow to load and logs you out too often.
- The default DNS was flaky for a few days in September. I switched to my own resolver anyway.
- During the August outage, their phone line was overwhelmed, and the status page lagged a bit.
- Static IPv4 costs extra. IPv6 is free and stable, but not everything I run speaks it yet.

**Verdict.** If Brightloop is available at your address and you're on cable, switch. It is the \
most boring my internet has ever been, and I mean that as the highest compliment. I'll post \
again at a year if anything changes.
"""

TROLL_SCREED = """\
Brightloop is a scam and everyone defending them here is either paid or stupid

I'm going to say what nobody in this sub has the spine to say. Brightloop is a garbage company \
run by garbage people, and the only reason this subreddit looks positive is that half the \
accounts here are their employees or bots. Look at the post history of anyone who says "my \
experience has been great actually". Two-month-old accounts, every one of them.

Their "community team" is a bunch of scripted parrots. Every reply is the same: "we're sorry to \
hear that", "could you DM us", "we'd like to make this right". They don't want to make anything \
right. They want you to move your complaint out of public view so nobody else sees it. That's \
the entire strategy. Move it to DMs, wait until you give up, close the ticket. Congratulations, \
you've been handled.

And the customers? Honestly, anyone still paying these clowns deserves what they get. You've \
seen the outages. You've seen the bills. You've seen them raise prices while the network falls \
apart. And you still log in here to tell everyone how "boring" your internet is, like that's \
some kind of achievement. It's a pipe. It either works or it doesn't. Theirs doesn't.

The techs are contractors who couldn't get hired anywhere else. The support staff read from a \
card. The executives are laughing all the way to the bank. Every single person at that company \
should be embarrassed to tell their family where they work. If you work there and you're reading \
this: quit. Go do something honest.

I'm not going to pretend I'm being fair here. I'm not interested in fair. Brightloop wasn't fair \
to me, so I'm going to post this every week until people wake up. Downvote me all you want, \
Brightloop employees. Every downvote just proves I'm right. Every "well actually" reply proves \
I'm right. Every mod removal proves I'm right.

Here's a challenge for u/brightloop: reply to this post with something that isn't a script. You \
can't. You physically can't. Because there's nobody behind the account except a PR intern and a \
list of approved phrases. Prove me wrong. You won't.

And to everyone in the comments about to tell me to "just switch providers if I'm so unhappy": \
that's exactly what a shill would say. The problem isn't me. The problem is a company that gets \
away with this because people like you keep making excuses for it. Keep defending them. Keep \
paying them. Keep getting exactly what you deserve.

I'll be back next week with more. Screenshot this before the mods delete it.
"""

SPANISH_REVIEW = """\
Mi experiencia con Brightloop después de mudarme a Houston (reseña larga)

Hola a todos. Llevo cuatro meses con Brightloop en Houston y varias personas del grupo me \
preguntaron qué tal, así que aquí va una reseña completa. Perdón por lo largo.

**Contratación.** Lo hice todo por la web en español, que funciona bien aunque algunas páginas \
todavía salen en inglés. Elegí Home 300 porque somos dos y trabajamos desde casa. No me pidieron \
contrato ni depósito, y el precio que vi en la web fue el que me cobraron. Eso, sinceramente, me \
sorprendió después de años con la compañía de cable.

**Instalación.** El técnico llegó a tiempo, habló conmigo en español y me explicó dónde convenía \
poner el router. Tardó una hora más o menos. No me cobraron instalación. Dejó todo limpio, que no \
es poca cosa.

**Velocidad.** Por cable me da entre 320 y 340 megas, tanto de bajada como de subida. Por wifi en \
la sala unos 250, en el cuarto del fondo unos 120. Para videollamadas y Netflix sobra. Por las \
noches baja un poco, pero nada grave.

**Lo malo.** Hubo dos cortes. Uno corto, de una hora, un sábado por la mañana. Otro más largo, de \
casi cinco horas, un martes, justo cuando tenía una reunión importante. Me enteré por el grupo \
de vecinos antes que por la página de estado de Brightloop, que seguía diciendo que todo estaba \
bien. Eso me molestó bastante. Lo que sí: en la siguiente factura apareció un crédito automático \
por ese corte, sin que yo lo pidiera. No es mucho dinero, pero se agradece que no haya que pelear.

La aplicación también es mejorable. Se cierra la sesión sola cada pocos días y algunas opciones \
solo están en inglés. Para cambiar la contraseña del wifi tuve que buscar un video en internet.

**Atención al cliente.** Llamé una vez por el corte largo y esperé unos 35 minutos, lo cual no es \
ideal. Pero la persona que me atendió fue amable, hablaba español perfectamente y me explicó lo \
del crédito. Por chat, si escribes "agente", te pasa con una persona y no con el bot.

**Móvil.** Añadí una línea móvil Unlimited a 25 dólares al mes por tener internet en casa. La \
activé con eSIM desde la app en cinco minutos. La cobertura en la ciudad es buena; en la \
carretera hacia Galveston hay un par de zonas sin señal.

**Conclusión.** Estoy contenta. No es perfecto, pero es más barato que el cable, más rápido y, \
sobre todo, no hay trucos en la factura. Si Brightloop llega a tu dirección, yo lo probaría: \
tienen 30 días de prueba y se puede cancelar sin penalización.

Si tienen preguntas, díganme en los comentarios y les respondo.
"""
