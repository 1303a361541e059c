"""The reporter's contact is personal: masked beyond the grid unless they consented; forgettable."""

from __future__ import annotations

import pytest

from incidents.domain.values import ANONYMOUS
from lianxin.errors import RuleBroken
from lianxin.privacy import mask

from ..conftest import Clock, ReportFactory


@pytest.mark.parametrize(
    ("contact", "masked"),
    [
        ("13812345678", "138****5678"),
        ("0431-88881234", "043******1234"),
        ("li@example.cn", "l*@example.cn"),
        ("12345", "****"),
        ("", ""),
    ],
)
def test_contacts_are_masked_to_recognisable_but_unreachable(contact: str, masked: str) -> None:
    assert mask(contact) == masked


def test_events_carry_the_contact_masked_unless_the_resident_consented(
    report: ReportFactory,
) -> None:
    hidden = report(reporter="王大妈", reporter_kind="resident", reporter_contact="13812345678")
    shown = report(
        reporter="李师傅",
        reporter_kind="resident",
        reporter_contact="13912345678",
        contact_consent=True,
    )
    assert hidden.events[0].reporter_contact == "138****5678"
    assert hidden.reporter_contact == "13812345678"  # kept whole, for consent given later
    assert shown.events[0].reporter_contact == "13912345678"


def test_anonymising_forgets_the_name_and_contact_everywhere_once(
    report: ReportFactory, clock: Clock
) -> None:
    incident = report(reporter="王大妈", reporter_kind="resident", reporter_contact="13812345678")
    incident.anonymise("tpj-coordinator", clock.now)
    assert (incident.reporter, incident.reporter_contact, incident.public_contact) == (
        ANONYMOUS,
        "",
        "",
    )
    assert [(t.action, t.actor) for t in incident.timeline] == [
        ("reported", ANONYMOUS),
        ("anonymised", "tpj-coordinator"),
    ]
    with pytest.raises(RuleBroken):
        incident.anonymise("tpj-coordinator", clock.now)
    assert len(incident.timeline) == 2


def test_the_contact_is_whole_only_for_who_calls_back_and_only_with_consent(
    report: ReportFactory,
) -> None:
    consented = report(reporter_contact="13912345678", contact_consent=True)
    withheld = report(reporter_contact="13812345678")
    assert consented.contact_for(calls_back=True) == "13912345678"
    assert consented.contact_for(calls_back=False) == "139****5678"
    assert withheld.contact_for(calls_back=True) == "138****5678"
    assert withheld.contact_for(calls_back=False) == "138****5678"
