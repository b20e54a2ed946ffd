"""The false claims critics make about Brightloop in the sample, and the facts that answer them.

Brightloop (fictional) in brief: Home 300 ($45/mo), Home Gig ($65/mo), Home 2 Gig ($85/mo),
Mobile Unlimited ($30/line, $25 with home internet). Every plan is month-to-month, unthrottled
and uncapped; the Loop Hub router and standard installation are included.
"""

from __future__ import annotations

from typing import NamedTuple


class Claim(NamedTuple):
    """A counter-factual claim, the fact that answers it and the topic it belongs to."""

    claim_id: str
    claim: str
    fact: str
    topic: str


CLAIMS: tuple[Claim, ...] = (
    Claim(
        "cancel_fee",
        "Brightloop charges a cancellation or early-termination fee.",
        "There is no cancellation or early-termination fee on any plan; service is "
        "month-to-month and can be cancelled at any time.",
        "billing",
    ),
    Claim(
        "throttle_50gb",
        "Brightloop throttles speeds after 50 GB of data.",
        "Home and mobile plans have no data cap and are not throttled at any level of use.",
        "speed",
    ),
    Claim(
        "price_up_40",
        "Brightloop raised its prices by 40%.",
        "The price change of 1 October 2026 raised Home plans by 5% (Home Gig $62 to $65); "
        "mobile prices did not change. Bills that rose more had an introductory price end.",
        "pricing",
    ),
    Claim(
        "no_outage_credit",
        "Brightloop gives no refund or credit for outages.",
        "Outages of 4 hours or more are credited automatically on the next bill (one day's "
        "charge per day affected); no claim is needed.",
        "outage",
    ),
    Claim(
        "two_year_contract",
        "Brightloop locks customers into a two-year contract.",
        "Brightloop has no contracts; every plan is month-to-month.",
        "billing",
    ),
    Claim(
        "router_fee",
        "Brightloop charges a monthly router rental fee.",
        "The Loop Hub router is included at no extra charge; there is no equipment rental fee.",
        "billing",
    ),
    Claim(
        "bots_only_support",
        "Brightloop has no human support, only chatbots.",
        "Live human support is available 24/7 by phone and chat; typing 'agent' in chat "
        "reaches a person.",
        "support",
    ),
    Claim(
        "sells_data",
        "Brightloop sells customers' browsing history to advertisers.",
        "Brightloop does not collect or sell customers' browsing data (privacy policy, section 4).",
        "privacy",
    ),
    Claim(
        "no_esim",
        "Brightloop does not support eSIM.",
        "eSIM is supported on every mobile plan and can be activated in the Brightloop app.",
        "mobile",
    ),
    Claim(
        "install_fee",
        "Brightloop charges a $199 installation fee.",
        "Standard professional installation and self-install kits are free.",
        "billing",
    ),
)

CLAIM_IDS = frozenset(claim.claim_id for claim in CLAIMS)
