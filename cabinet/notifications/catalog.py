"""The event catalog: every notification the portal can send, as data. No DB, no Reflex.

A module emits an event by name (`service.emit(session, event="links.decided", ...)`). The
spec says which channels the event may use, which ones a user gets when they have not chosen,
which `{variables}` its templates may use (checked when staff save a template), sample values
for the preview, and the default texts shipped with the portal.

Every event also gets the common variables `user_name` (the recipient's name) and `link`
(the absolute URL passed to emit, or the portal's address).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.notifications import NotifyChannel

ALL_CHANNELS: tuple[str, ...] = tuple(c.value for c in NotifyChannel)
LANGS: tuple[str, ...] = ("ru", "en")
COMMON_VARIABLES: dict[str, str] = {
    "user_name": "Иванов Иван Иванович",
    "link": "https://cabinet.example.ru/notifications",
}

CHANNEL_LABELS: dict[str, tuple[str, str]] = {
    NotifyChannel.INAPP: ("В кабинете", "In the portal"),
    NotifyChannel.EMAIL: ("E-mail", "E-mail"),
    NotifyChannel.SMS: ("SMS", "SMS"),
    NotifyChannel.TELEGRAM: ("Telegram", "Telegram"),
}


@dataclass(frozen=True)
class Text:
    """Default subject and body in one language. `short` is used for SMS and Telegram."""

    subject: str
    body: str
    short: str


@dataclass(frozen=True)
class EventSpec:
    title_ru: str
    title_en: str
    allowed: frozenset[str]
    default: frozenset[str]
    sample: dict[str, str]  # variable -> sample value (declares the variables)
    ru: Text
    en: Text
    audience: str = "customer"  # "customer" | "staff" | "any" (display only)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(sorted({*self.sample, *COMMON_VARIABLES}))

    def sample_context(self) -> dict[str, str]:
        return {**COMMON_VARIABLES, **self.sample}

    def text(self, lang: str) -> Text:
        return self.en if lang == "en" else self.ru


_ALL = frozenset(ALL_CHANNELS)
_INAPP_EMAIL = frozenset({NotifyChannel.INAPP, NotifyChannel.EMAIL})


EVENTS: dict[str, EventSpec] = {
    "links.decided": EventSpec(
        "Решение по запросу привязки",
        "Link request decided",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        sample={
            "organisation": 'ООО "Ромашка"',
            "decision": "одобрен",
            "comment": "Проверили по ИНН.",
        },
        ru=Text(
            "Запрос привязки к {organisation}: {decision}",
            "Здравствуйте, {user_name}!\n\nВаш запрос привязки к организации {organisation} "
            "{decision}.\nКомментарий: {comment}\n\n{link}",
            "Запрос привязки к {organisation}: {decision}. {link}",
        ),
        en=Text(
            "Link request to {organisation}: {decision}",
            "Hello {user_name},\n\nyour request to be linked to {organisation} was "
            "{decision}.\nComment: {comment}\n\n{link}",
            "Link request to {organisation}: {decision}. {link}",
        ),
    ),
    "support.request_created": EventSpec(
        "Новое обращение",
        "New support request",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        audience="staff",
        sample={
            "request_number": "1024",
            "subject": "Не приходит счёт",
            "department": "Бухгалтерия",
            "author_name": "Петров Пётр",
            "organisation": 'ООО "Ромашка"',
        },
        ru=Text(
            "Новое обращение № {request_number}: {subject}",
            "Поступило обращение № {request_number} в отдел «{department}».\n"
            "Автор: {author_name} ({organisation})\nТема: {subject}\n\n{link}",
            "Новое обращение № {request_number}: {subject}. {link}",
        ),
        en=Text(
            "New request #{request_number}: {subject}",
            "Request #{request_number} arrived for {department}.\n"
            "From: {author_name} ({organisation})\nSubject: {subject}\n\n{link}",
            "New request #{request_number}: {subject}. {link}",
        ),
    ),
    "support.message_added": EventSpec(
        "Ответ в обращении",
        "Reply in a support request",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        audience="any",
        sample={
            "request_number": "1024",
            "subject": "Не приходит счёт",
            "author_name": "Менеджеров Максим",
            "message": "Счёт отправлен повторно, проверьте почту.",
        },
        ru=Text(
            "Ответ в обращении № {request_number}",
            "{author_name} ответил(а) в обращении № {request_number} «{subject}»:\n\n"
            "{message}\n\n{link}",
            "Ответ в обращении № {request_number} от {author_name}. {link}",
        ),
        en=Text(
            "Reply in request #{request_number}",
            "{author_name} replied in request #{request_number} “{subject}”:\n\n"
            "{message}\n\n{link}",
            "Reply in request #{request_number} from {author_name}. {link}",
        ),
    ),
    "support.status_changed": EventSpec(
        "Статус обращения изменён",
        "Support request status changed",
        allowed=_ALL,
        default=frozenset({NotifyChannel.INAPP}),
        audience="any",
        sample={"request_number": "1024", "subject": "Не приходит счёт", "status": "решено"},
        ru=Text(
            "Обращение № {request_number}: {status}",
            "Статус обращения № {request_number} «{subject}» изменён: {status}.\n\n{link}",
            "Обращение № {request_number}: {status}. {link}",
        ),
        en=Text(
            "Request #{request_number}: {status}",
            "Request #{request_number} “{subject}” is now: {status}.\n\n{link}",
            "Request #{request_number}: {status}. {link}",
        ),
    ),
    "accounts.security": EventSpec(
        "Безопасность учётной записи",
        "Account security",
        allowed=_ALL,
        default=frozenset({NotifyChannel.INAPP, NotifyChannel.EMAIL}),
        audience="any",
        sample={
            "what": "вход с нового устройства",
            "ip": "203.0.113.7",
            "when": "29.11.2026 12:00",
        },
        ru=Text(
            "Безопасность: {what}",
            "Здравствуйте, {user_name}!\n\nВ вашей учётной записи: {what} ({when}, IP {ip}).\n"
            "Если это были не вы, смените пароль: {link}",
            "Кабинет: {what} ({when}, IP {ip}). Не вы? Смените пароль.",
        ),
        en=Text(
            "Security: {what}",
            "Hello {user_name},\n\nyour account: {what} ({when}, IP {ip}).\n"
            "If this was not you, change your password: {link}",
            "Portal: {what} ({when}, IP {ip}). Not you? Change your password.",
        ),
    ),
    "applications.status_changed": EventSpec(
        "Статус заявки изменён",
        "Application status changed",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        sample={
            "application_number": "З-2026-0042",
            "title": "Подключение интернета 100 Мбит/с",
            "status": "в работе",
            "comment": "Монтажник приедет завтра.",
        },
        ru=Text(
            "Заявка {application_number}: {status}",
            "Здравствуйте, {user_name}!\n\nСтатус заявки {application_number} «{title}» "
            "изменён: {status}.\n{comment}\n\n{link}",
            "Заявка {application_number}: {status}. {link}",
        ),
        en=Text(
            "Application {application_number}: {status}",
            "Hello {user_name},\n\napplication {application_number} “{title}” is now: "
            "{status}.\n{comment}\n\n{link}",
            "Application {application_number}: {status}. {link}",
        ),
    ),
    "journals.signature_requested": EventSpec(
        "Запрошена подпись",
        "Signature requested",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        sample={
            "document": "Акт сверки за октябрь",
            "journal": "Акты",
            "deadline": "05.12.2026",
        },
        ru=Text(
            "Подпишите документ: {document}",
            "Здравствуйте, {user_name}!\n\nВас просят подписать документ «{document}» "
            "(журнал «{journal}») до {deadline}.\n\n{link}",
            "Подпишите «{document}» до {deadline}. {link}",
        ),
        en=Text(
            "Please sign: {document}",
            "Hello {user_name},\n\nyou are asked to sign “{document}” "
            "(journal “{journal}”) by {deadline}.\n\n{link}",
            "Please sign “{document}” by {deadline}. {link}",
        ),
    ),
    "esign.certificate_requested": EventSpec(
        "Запрос сертификата подписи",
        "Signature certificate request",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        audience="staff",
        sample={"signer_name": "Иванов Иван Иванович", "organisation": "ООО «Ромашка»"},
        ru=Text(
            "Сертификат подписи: запрос от {signer_name}",
            "{signer_name} ({organisation}) просит выпустить или отозвать сертификат "
            "электронной подписи.\n\n{link}",
            "{signer_name}: запрос по сертификату подписи. {link}",
        ),
        en=Text(
            "Signature certificate: request from {signer_name}",
            "{signer_name} ({organisation}) asks to issue or revoke a signature "
            "certificate.\n\n{link}",
            "{signer_name}: signature certificate request. {link}",
        ),
    ),
    "esign.certificate_issued": EventSpec(
        "Выпущен сертификат подписи",
        "Signature certificate issued",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        audience="any",
        sample={"serial": "5F3A09C1D2", "valid_until": "29.11.2027 17:00"},
        ru=Text(
            "Выпущен сертификат электронной подписи",
            "Здравствуйте, {user_name}!\n\nВаш сертификат электронной подписи № {serial} "
            "выпущен и действует до {valid_until}. Подписывайте документы своим PIN-кодом."
            "\n\n{link}",
            "Сертификат подписи № {serial} выпущен, действует до {valid_until}. {link}",
        ),
        en=Text(
            "Your signature certificate is issued",
            "Hello {user_name},\n\nyour signature certificate {serial} is issued and valid "
            "until {valid_until}. Sign documents with your PIN.\n\n{link}",
            "Signature certificate {serial} issued, valid until {valid_until}. {link}",
        ),
    ),
    "esign.certificate_revoked": EventSpec(
        "Сертификат подписи отозван",
        "Signature certificate revoked",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        audience="any",
        sample={"serial": "5F3A09C1D2", "reason": "Компрометация ключа"},
        ru=Text(
            "Сертификат электронной подписи отозван",
            "Здравствуйте, {user_name}!\n\nВаш сертификат электронной подписи № {serial} "
            "отозван. Причина: {reason}. Подписывать им больше нельзя; при необходимости "
            "запросите новый.\n\n{link}",
            "Сертификат подписи № {serial} отозван: {reason}. {link}",
        ),
        en=Text(
            "Your signature certificate is revoked",
            "Hello {user_name},\n\nyour signature certificate {serial} is revoked. "
            "Reason: {reason}. It cannot sign any more; ask for a new one if needed.\n\n{link}",
            "Signature certificate {serial} revoked: {reason}. {link}",
        ),
    ),
    "feedback.received": EventSpec(
        "Обратная связь администратору",
        "Feedback to the administrator",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        audience="staff",
        sample={
            "feedback_number": "77",
            "topic": "Предложение",
            "author_name": "Петров Пётр",
            "email": "petrov@example.ru",
            "text": "Добавьте, пожалуйста, выгрузку счетов в Excel.",
        },
        ru=Text(
            "Обратная связь № {feedback_number}: {topic}",
            "{author_name} ({email}) пишет администратору, тема «{topic}»:\n\n{text}\n\n{link}",
            "Обратная связь № {feedback_number} от {author_name}: {topic}. {link}",
        ),
        en=Text(
            "Feedback #{feedback_number}: {topic}",
            "{author_name} ({email}) wrote to the administrator, topic “{topic}”:\n\n{text}"
            "\n\n{link}",
            "Feedback #{feedback_number} from {author_name}: {topic}. {link}",
        ),
    ),
    "telecom.payment_succeeded": EventSpec(
        "Платёж зачислен",
        "Payment credited",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        sample={
            "msisdn": "+7 916 123-45-67",
            "amount": "500,00 ₽",
            "kind": "пополнение",
            "balance": "742,50 ₽",
        },
        ru=Text(
            "Платёж {amount} зачислен на номер {msisdn}",
            "Здравствуйте, {user_name}!\n\nПлатёж ({kind}) на {amount} зачислен на номер "
            "{msisdn}. Баланс: {balance}.\n\n{link}",
            "{msisdn}: зачислено {amount}, баланс {balance}. {link}",
        ),
        en=Text(
            "Payment of {amount} credited to {msisdn}",
            "Hello {user_name},\n\nthe payment ({kind}) of {amount} is credited to {msisdn}. "
            "Balance: {balance}.\n\n{link}",
            "{msisdn}: {amount} credited, balance {balance}. {link}",
        ),
    ),
    "telecom.payment_declined": EventSpec(
        "Платёж не прошёл",
        "Payment declined",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        sample={
            "msisdn": "+7 916 123-45-67",
            "amount": "500,00 ₽",
            "kind": "пополнение",
            "reason": "Недостаточно средств на карте",
        },
        ru=Text(
            "Платёж {amount} на номер {msisdn} не прошёл",
            "Здравствуйте, {user_name}!\n\nПлатёж ({kind}) на {amount} для номера {msisdn} "
            "не прошёл: {reason}. Баланс не изменился.\n\n{link}",
            "{msisdn}: платёж {amount} не прошёл — {reason}. {link}",
        ),
        en=Text(
            "Payment of {amount} to {msisdn} declined",
            "Hello {user_name},\n\nthe payment ({kind}) of {amount} for {msisdn} was declined: "
            "{reason}. The balance has not changed.\n\n{link}",
            "{msisdn}: payment of {amount} declined — {reason}. {link}",
        ),
    ),
    "telecom.autopay_failed": EventSpec(
        "Автоплатёж не удался",
        "Auto-payment failed",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        sample={
            "msisdn": "+7 916 123-45-67",
            "amount": "500,00 ₽",
            "period": "2026-02",
            "reason": "Недостаточно средств на карте",
            "card": "•••• 4242",
        },
        ru=Text(
            "Автоплатёж за {period} для номера {msisdn} не удался",
            "Здравствуйте, {user_name}!\n\nАвтоплатёж {amount} за {period} с карты {card} "
            "для номера {msisdn} не удался: {reason}. Пополните баланс вручную или смените "
            "карту.\n\n{link}",
            "{msisdn}: автоплатёж {amount} не удался — {reason}. {link}",
        ),
        en=Text(
            "Auto-payment for {period} to {msisdn} failed",
            "Hello {user_name},\n\nthe auto-payment of {amount} for {period} from card {card} "
            "for {msisdn} failed: {reason}. Top up by hand or change the card.\n\n{link}",
            "{msisdn}: auto-payment of {amount} failed — {reason}. {link}",
        ),
    ),
    "telecom.request_decided": EventSpec(
        "Решение по заявке (сим-карта)",
        "SIM request decided",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        sample={
            "request": "смена тарифа для +7 916 123-45-67",
            "decision": "одобрена",
            "comment": "Новый тариф действует с 1-го числа.",
        },
        ru=Text(
            "Заявка: {request} — {decision}",
            "Здравствуйте, {user_name}!\n\nЗаявка «{request}» {decision}.\n{comment}\n\n{link}",
            "Заявка «{request}» {decision}. {comment} {link}",
        ),
        en=Text(
            "Request: {request} — {decision}",
            "Hello {user_name},\n\nthe request “{request}” is {decision}.\n{comment}\n\n{link}",
            "Request “{request}” {decision}. {comment} {link}",
        ),
    ),
    "telecom.request_created": EventSpec(
        "Новая заявка абонента (сим-карта)",
        "New subscriber SIM request",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        audience="staff",
        sample={
            "request": "блокировка +7 916 123-45-67",
            "organisation": 'ООО "Ромашка"',
            "comment": "Сим-карта утеряна.",
        },
        ru=Text(
            "Новая заявка: {request}",
            "{organisation}: новая заявка «{request}».\n{comment}\n\n{link}",
            "{organisation}: заявка «{request}». {link}",
        ),
        en=Text(
            "New request: {request}",
            "{organisation}: new request “{request}”.\n{comment}\n\n{link}",
            "{organisation}: request “{request}”. {link}",
        ),
    ),
    "auctions.started": EventSpec(
        "Аукцион начался",
        "Auction started",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        sample={
            "auction": "Трубы ОМК, декабрь",
            "ends_at": "15.12.2026 16:00",
        },
        ru=Text(
            "Начался аукцион «{auction}»",
            "Здравствуйте, {user_name}!\n\nНачались торги на аукционе «{auction}». "
            "Окончание — {ends_at} (мск).\n\n{link}",
            "Начался аукцион «{auction}», окончание {ends_at}. {link}",
        ),
        en=Text(
            "Auction “{auction}” has started",
            "Hello {user_name},\n\nbidding has started in the auction “{auction}”. "
            "It ends at {ends_at} (Moscow time).\n\n{link}",
            "Auction “{auction}” has started, ends {ends_at}. {link}",
        ),
    ),
    "auctions.ending_soon": EventSpec(
        "Аукцион скоро закончится",
        "Auction ending soon",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        sample={
            "auction": "Трубы ОМК, декабрь",
            "ends_at": "15.12.2026 16:00",
        },
        ru=Text(
            "Через час заканчивается аукцион «{auction}»",
            "Здравствуйте, {user_name}!\n\nАукцион «{auction}» заканчивается в {ends_at} "
            "(мск). Ставка в последние минуты продлевает торги по лоту.\n\n{link}",
            "Аукцион «{auction}» заканчивается в {ends_at}. {link}",
        ),
        en=Text(
            "Auction “{auction}” ends in an hour",
            "Hello {user_name},\n\nthe auction “{auction}” ends at {ends_at} (Moscow time). "
            "A bid in the last minutes extends the lot.\n\n{link}",
            "Auction “{auction}” ends at {ends_at}. {link}",
        ),
    ),
    "auctions.outbid": EventSpec(
        "Вашу ставку перебили",
        "You have been outbid",
        allowed=_ALL,
        default=frozenset({NotifyChannel.INAPP}),
        sample={
            "auction": "Трубы ОМК, декабрь",
            "lot": "№ 3 Труба 530×8 К52",
            "price": "1 250 000,00 ₽",
        },
        ru=Text(
            "Ставку по лоту {lot} перебили",
            "Здравствуйте, {user_name}!\n\nНа аукционе «{auction}» вашу ставку по лоту "
            "{lot} перебили: текущая цена {price}.\n\n{link}",
            "Лот {lot}: вашу ставку перебили, цена {price}. {link}",
        ),
        en=Text(
            "Outbid on lot {lot}",
            "Hello {user_name},\n\nin the auction “{auction}” your bid on lot {lot} has been "
            "outbid: the price is now {price}.\n\n{link}",
            "Lot {lot}: you were outbid, price {price}. {link}",
        ),
    ),
    "auctions.won": EventSpec(
        "Вы выиграли лот",
        "You won a lot",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        sample={
            "auction": "Трубы ОМК, декабрь",
            "lot": "№ 3 Труба 530×8 К52",
            "price": "1 250 000,00 ₽",
        },
        ru=Text(
            "Вы выиграли лот {lot}",
            "Здравствуйте, {user_name}!\n\nВаша организация выиграла лот {lot} на аукционе "
            "«{auction}» по цене {price}. Организатор свяжется с вами для оформления "
            "сделки.\n\n{link}",
            "Вы выиграли лот {lot} по цене {price}. {link}",
        ),
        en=Text(
            "You won lot {lot}",
            "Hello {user_name},\n\nyour organisation won lot {lot} in the auction “{auction}” "
            "at {price}. The organiser will contact you to conclude the deal.\n\n{link}",
            "You won lot {lot} at {price}. {link}",
        ),
    ),
    "auctions.finished": EventSpec(
        "Аукцион завершён",
        "Auction finished",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        audience="any",
        sample={
            "auction": "Трубы ОМК, декабрь",
            "summary": "лотов с победителем: 4 из 5",
        },
        ru=Text(
            "Аукцион «{auction}» завершён",
            "Здравствуйте, {user_name}!\n\nТорги на аукционе «{auction}» завершены, "
            "{summary}.\n\n{link}",
            "Аукцион «{auction}» завершён, {summary}. {link}",
        ),
        en=Text(
            "Auction “{auction}” has finished",
            "Hello {user_name},\n\nbidding in the auction “{auction}” is over, {summary}."
            "\n\n{link}",
            "Auction “{auction}” has finished, {summary}. {link}",
        ),
    ),
    "auctions.schedule_changed": EventSpec(
        "Изменено расписание аукциона",
        "Auction schedule changed",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        sample={
            "auction": "Трубы ОМК, декабрь",
            "old_schedule": "15.12.2026 10:00 — 15.12.2026 16:00",
            "new_schedule": "16.12.2026 10:00 — 16.12.2026 16:00",
        },
        ru=Text(
            "Аукцион «{auction}»: изменено расписание",
            "Здравствуйте, {user_name}!\n\nРасписание аукциона «{auction}» изменено: "
            "{new_schedule} (было: {old_schedule}).\n\n{link}",
            "Аукцион «{auction}»: {new_schedule}. {link}",
        ),
        en=Text(
            "Auction “{auction}”: schedule changed",
            "Hello {user_name},\n\nthe schedule of the auction “{auction}” has changed: "
            "{new_schedule} (was: {old_schedule}).\n\n{link}",
            "Auction “{auction}”: {new_schedule}. {link}",
        ),
    ),
    "journals.entry_signed": EventSpec(
        "Запись журнала подписана",
        "Journal entry signed",
        allowed=_ALL,
        default=frozenset({NotifyChannel.INAPP}),
        sample={
            "document": "Запись № 12: Проверка АПС",
            "journal": "Пожарная сигнализация — Склад № 1",
            "side": "Абонент",
            "signer": "Петров Пётр Петрович",
        },
        ru=Text(
            "Подписано: {document}",
            "Здравствуйте, {user_name}!\n\n{signer} ({side}) подписал(а) «{document}» "
            "(журнал «{journal}»).\n\n{link}",
            "{signer} подписал(а) «{document}». {link}",
        ),
        en=Text(
            "Signed: {document}",
            "Hello {user_name},\n\n{signer} ({side}) signed “{document}” "
            "(journal “{journal}”).\n\n{link}",
            "{signer} signed “{document}”. {link}",
        ),
    ),
    "journals.signatures_withdrawn": EventSpec(
        "Подписи записи отозваны",
        "Entry signatures withdrawn",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        sample={
            "document": "Запись № 12: Проверка АПС",
            "journal": "Пожарная сигнализация — Склад № 1",
            "version": "2",
        },
        ru=Text(
            "Запись изменена, подпись отозвана: {document}",
            "Здравствуйте, {user_name}!\n\nЗапись «{document}» (журнал «{journal}») изменена, "
            "ваша подпись отозвана. Подпишите новую версию {version}.\n\n{link}",
            "«{document}» изменена, подпишите версию {version}. {link}",
        ),
        en=Text(
            "Entry changed, signature withdrawn: {document}",
            "Hello {user_name},\n\nentry “{document}” (journal “{journal}”) was changed and "
            "your signature withdrawn. Please sign version {version}.\n\n{link}",
            "“{document}” changed, sign version {version}. {link}",
        ),
    ),
    "orders.request_decided": EventSpec(
        "Ответ по запросу на изменение заказа",
        "Order change request answered",
        allowed=_ALL,
        default=_INAPP_EMAIL,
        sample={
            "order_number": "З-2026-000123",
            "decision": "принят",
            "answer": "Дата отгрузки перенесена на 15.12.2026.",
        },
        ru=Text(
            "Заказ {order_number}: запрос {decision}",
            "Здравствуйте, {user_name}!\n\nВаш запрос по заказу {order_number} {decision}."
            "\n{answer}\n\n{link}",
            "Заказ {order_number}: запрос {decision}. {link}",
        ),
        en=Text(
            "Order {order_number}: request {decision}",
            "Hello {user_name},\n\nyour request on order {order_number}: {decision}."
            "\n{answer}\n\n{link}",
            "Order {order_number}: request {decision}. {link}",
        ),
    ),
}


def get_event(name: str) -> EventSpec:
    try:
        return EVENTS[name]
    except KeyError:
        raise KeyError(f"unknown notification event {name!r}; add it to EVENTS") from None


def default_template(event: str, channel: str, lang: str) -> tuple[str, str]:
    """(subject, body) shipped for `event` × `channel` × `lang`."""
    text = get_event(event).text(lang)
    if channel in (NotifyChannel.SMS, NotifyChannel.TELEGRAM):
        return "", text.short
    if channel == NotifyChannel.INAPP:  # the bell list has its own "Open" button for the link
        return text.subject, text.short.replace(" {link}", "").strip()
    return text.subject, text.body
