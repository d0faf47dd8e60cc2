"""Operator admin rules: form checks, delete rules, partner profit, date periods, decisions.

Pure functions and declarations; no DB, no Reflex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from stdnum.ru import inn as ru_inn

from cabinet.errors import ValidationFailed
from cabinet.telecom.csv_import import check_iccid, check_msisdn
from models.telecom import RequestStatus, SimStatus, TariffStatus

NAME_MAX = 120
PARTNER_NAME_MAX = 300
NOTE_MAX = 2000
DECISION_COMMENT_MAX = 1000
BLOCK_REASON_MAX = 1000
MAX_FEE_KOPECKS = 100_000_00  # 100 000 ₽ a month
IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_PREVIEW_ROWS = 20
IMPORT_ERRORS_KEPT = 200

_MONEY_RE = re.compile(r"^\d{1,9}([.,]\d{1,2})?$")
_PERCENT_RE = re.compile(r"^\d{1,3}([.,]\d{1,2})?$")


# -- SIM cards ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimInput:
    iccid: str
    msisdn: str
    status: str
    tariff_id: int | None
    partner_id: int | None
    label: str


def check_sim(
    *,
    iccid: str,
    msisdn: str,
    status: str,
    tariff_id: int | None,
    partner_id: int | None,
    label: str = "",
) -> SimInput:
    """The hand-entered SIM card, checked like a CSV row."""
    value, err = check_iccid(iccid)
    if err:
        raise ValidationFailed(err, field="iccid")
    number, err = check_msisdn(msisdn)
    if err:
        raise ValidationFailed(err, field="msisdn")
    if status not in set(SimStatus):
        raise ValidationFailed("Неизвестный статус сим-карты.", field="status")
    label = (label or "").strip()
    if len(label) > 60:
        raise ValidationFailed("Подпись не длиннее 60 символов.", field="label")
    return SimInput(value, number, status, tariff_id, partner_id, label)


def search_text(iccid: str, msisdn: str, label: str = "") -> str:
    """What the registry's one search box matches (tel1's SimCard.search_text convention)."""
    return f"{iccid} {msisdn} {label}".lower().strip()[:200]


def sim_delete_refusal(
    *, contract_id: int | None, status: str, payments: int, requests: int = 0
) -> str:
    """Why a SIM card may not be deleted (by hand or by an import), or "" when it may: only
    a stock card (no contract), not active, never paid for, never asked about."""
    if contract_id is not None:
        return "Сим-карта выдана абоненту по договору: удалить можно только сим-карту со склада."
    if status == SimStatus.ACTIVE:
        return "Активную сим-карту удалить нельзя: сначала заблокируйте её."
    if payments:
        return "По сим-карте были платежи: её нельзя удалить, только заблокировать."
    if requests:
        return "По сим-карте есть заявки: её нельзя удалить, только заблокировать."
    return ""


IMPORT_BLOCK_REASON = "Импорт из CSV"


def import_status_steps(old: str, new: str, *, activated: bool) -> tuple[tuple[str, ...], str]:
    """The steps ("unblock", "activate", "block") that take a stored card from status `old` to
    the status an update file gives it, as the operator would by hand — or an error (Russian).
    `new` "" keeps the status; `activated`: the card was activated once (a block lifted from
    such a card leaves it active, as `unblock_sim` does)."""
    if not new or new == old:
        return (), ""
    if new == SimStatus.BLOCKED:
        return ("block",), ""
    if old == SimStatus.BLOCKED:
        if new == SimStatus.ACTIVE:
            return (("unblock",) if activated else ("unblock", "activate")), ""
        if activated:
            return (), (
                "Сим-карта уже была активирована: после снятия блокировки она станет "
                "активной — укажите статус «Активна»."
            )
        return ("unblock",), ""
    if old == SimStatus.INACTIVE and new == SimStatus.ACTIVE:
        return ("activate",), ""
    return (), "Активную сим-карту нельзя сделать неактивной: её можно только заблокировать."


# -- money, percent, text -------------------------------------------------------------------


def parse_money(text: str, *, field: str, required: bool = True) -> int:
    """'199', '199,90', '1 234.5 ₽' → kopecks (no float)."""
    cleaned = (text or "").replace("₽", "").replace("\u00a0", "").replace(" ", "").strip()
    if not cleaned:
        if required:
            raise ValidationFailed("Укажите сумму.", field=field)
        return 0
    if not _MONEY_RE.match(cleaned):
        raise ValidationFailed("Сумма — число рублей, например 350 или 349,90.", field=field)
    return int((Decimal(cleaned.replace(",", ".")) * 100).to_integral_value())


def parse_percent(text: str, *, field: str = "share") -> Decimal:
    cleaned = (text or "").replace("%", "").replace(" ", "").strip() or "0"
    if not _PERCENT_RE.match(cleaned):
        raise ValidationFailed("Доля — число процентов, например 12,5.", field=field)
    value = Decimal(cleaned.replace(",", "."))
    if value > 100:
        raise ValidationFailed("Доля не больше 100 %.", field=field)
    return value.quantize(Decimal("0.01"))


def parse_allowance(text: str, *, field: str) -> int | None:
    """'' (or 'без ограничений') → None (unlimited); a whole number ≥ 0 otherwise."""
    cleaned = (text or "").replace(" ", "").strip().lower()
    if cleaned in ("", "-", "∞", "безограничений", "unlimited"):
        return None
    if not cleaned.isdigit() or len(cleaned) > 7:
        raise ValidationFailed("Целое число или пусто (без ограничений).", field=field)
    return int(cleaned)


def text_field(value: str, *, field: str, max_len: int, required: bool = False, what: str) -> str:
    value = re.sub(r"[ \t]+", " ", (value or "").strip())
    if required and not value:
        raise ValidationFailed(f"Укажите {what}.", field=field)
    if len(value) > max_len:
        raise ValidationFailed(f"Не длиннее {max_len} символов.", field=field)
    return value


# -- tariffs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TariffInput:
    name: str
    description: str
    monthly_fee_kopecks: int
    minutes: int | None
    sms: int | None
    internet_gb: int | None


def check_tariff(
    *, name: str, description: str, fee: str, minutes: str, sms: str, internet_gb: str
) -> TariffInput:
    name = text_field(name, field="name", max_len=NAME_MAX, required=True, what="название тарифа")
    if len(name) < 2:
        raise ValidationFailed("Название не короче 2 символов.", field="name")
    fee_kopecks = parse_money(fee, field="fee")
    if fee_kopecks > MAX_FEE_KOPECKS:
        raise ValidationFailed("Абонентская плата не больше 100 000 ₽.", field="fee")
    return TariffInput(
        name=name,
        description=text_field(description, field="description", max_len=1000, what="описание"),
        monthly_fee_kopecks=fee_kopecks,
        minutes=parse_allowance(minutes, field="minutes"),
        sms=parse_allowance(sms, field="sms"),
        internet_gb=parse_allowance(internet_gb, field="internet_gb"),
    )


def tariff_delete_refusal(*, used: bool) -> str:
    if used:
        return (
            "Тариф уже использовался (сим-карты, заявки или импорт): его можно только "
            "отправить в архив."
        )
    return ""


TARIFF_STATUS_LABELS: dict[str, tuple[str, str]] = {
    TariffStatus.ACTIVE: ("Действует", "Active"),
    TariffStatus.ARCHIVED: ("В архиве", "Archived"),
}


# -- partners -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerInput:
    name: str
    inn: str
    contact_name: str
    contact_email: str
    contact_phone: str
    profit_share_percent: Decimal
    note: str


def check_partner(
    *,
    name: str,
    inn: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str,
    share: str,
    note: str = "",
) -> PartnerInput:
    name = text_field(
        name, field="name", max_len=PARTNER_NAME_MAX, required=True, what="название партнёра"
    )
    inn = re.sub(r"\s", "", inn or "")
    if inn and not ru_inn.is_valid(inn):
        raise ValidationFailed("ИНН не прошёл проверку контрольной суммы.", field="inn")
    email = (contact_email or "").strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValidationFailed("Неверный адрес e-mail.", field="contact_email") from None
    phone = (contact_phone or "").strip()
    if phone:
        phone, err = check_msisdn(phone)
        if err:
            raise ValidationFailed(err, field="contact_phone")
    return PartnerInput(
        name=name,
        inn=inn,
        contact_name=text_field(contact_name, field="contact_name", max_len=200, what="контакт"),
        contact_email=email,
        contact_phone=phone,
        profit_share_percent=parse_percent(share),
        note=text_field(note, field="note", max_len=NOTE_MAX, what="примечание"),
    )


def partner_delete_refusal(*, sims: int, contracts: int, payments: int, requests: int) -> str:
    if sims or contracts or payments or requests:
        return (
            "У партнёра есть сим-карты, договоры, платежи или заявки: удалить нельзя, "
            "можно отключить."
        )
    return ""


def partner_profit_kopecks(paid_kopecks: int, share_percent: Decimal) -> int:
    """The partner's share of `paid_kopecks` of succeeded payments, rounded half-up to kopecks."""
    value = Decimal(int(paid_kopecks)) * Decimal(share_percent) / Decimal(100)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# -- periods (dates typed in the display time zone) -----------------------------------------


def parse_day(text: str, *, field: str) -> date | None:
    """'2026-11-29' (a date input) or '29.11.2026' → date; '' → None."""
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC).date()
        except ValueError:
            continue
    raise ValidationFailed("Дата в формате ДД.ММ.ГГГГ.", field=field)


def period_bounds(
    date_from: date | None, date_to: date | None, tz: str
) -> tuple[datetime | None, datetime | None]:
    """[start, end) in UTC for whole local days date_from..date_to inclusive."""
    zone = ZoneInfo(tz)
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed("Начало периода позже его конца.", field="date_from")
    start = datetime.combine(date_from, time.min, zone).astimezone(UTC) if date_from else None
    end = (
        datetime.combine(date_to + timedelta(days=1), time.min, zone).astimezone(UTC)
        if date_to
        else None
    )
    return start, end


# -- request decisions ----------------------------------------------------------------------

APPROVE = "approve"
REJECT = "reject"
DECISION_WORDS: dict[str, str] = {APPROVE: "одобрена", REJECT: "отклонена"}


def check_decision(status: str, decision: str, comment: str) -> tuple[str, str]:
    """(new request status, cleaned comment). Only a pending request is decided; a rejection
    needs a comment that the requester will read."""
    if decision not in (APPROVE, REJECT):
        raise ValidationFailed("Неизвестное решение.")
    if status != RequestStatus.PENDING:
        raise ValidationFailed("Заявка уже рассмотрена.")
    comment = (comment or "").strip()
    if len(comment) > DECISION_COMMENT_MAX:
        raise ValidationFailed(
            f"Комментарий не длиннее {DECISION_COMMENT_MAX} символов.", field="comment"
        )
    if decision == REJECT and not comment:
        raise ValidationFailed("Напишите причину отказа: её увидит заявитель.", field="comment")
    return (RequestStatus.APPROVED if decision == APPROVE else RequestStatus.REJECTED), comment


def check_block_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Укажите причину блокировки.", field="reason")
    if len(reason) > BLOCK_REASON_MAX:
        raise ValidationFailed(f"Не длиннее {BLOCK_REASON_MAX} символов.", field="reason")
    return reason
