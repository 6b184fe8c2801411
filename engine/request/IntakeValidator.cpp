// SPDX-License-Identifier: GPL-3.0-or-later
#include "IntakeValidator.h"

#include "core/EmailAddress.h"
#include "core/Text.h"

#include <QHash>
#include <QRegularExpression>

namespace rf {

namespace {

QString quoted(const QString &text)
{
    return QLatin1Char('\'') + text + QLatin1Char('\'');
}

QString collapseSpaces(const QString &text)
{
    return text.simplified();
}

} // namespace

bool IntakeValidator::isEmail(const QString &text)
{
    // The mailer's own rule: an address filed is one a notice can go to.
    return EmailAddress::parse(text.trimmed()).ok();
}

bool IntakeValidator::isUkPostcode(const QString &text)
{
    static const QRegularExpression re(
        QStringLiteral(R"(^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})$)"));
    return re.match(collapseSpaces(text).toUpper()).hasMatch();
}

bool IntakeValidator::isNiNumber(const QString &text)
{
    // HMRC's format: two prefix letters (D, F, I, Q, U, V never; O not second;
    // BG, GB, KN, NK, NT, TN, ZZ never allocated), six digits, suffix A-D.
    static const QRegularExpression re(
        QStringLiteral(R"(^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$)"));
    QString compact = text.toUpper();
    compact.remove(QLatin1Char(' '));
    return re.match(compact).hasMatch();
}

bool IntakeValidator::isPhoneNumber(const QString &text)
{
    static const QRegularExpression allowed(QStringLiteral(R"(^\+?[0-9 ()\-]+$)"));
    if (!allowed.match(text.trimmed()).hasMatch())
        return false;
    qsizetype digits = 0;
    for (const QChar c : text)
        digits += c.isDigit() ? 1 : 0;
    return digits >= 7 && digits <= 15;
}

QString IntakeValidator::normalizeIdentifier(const QString &kind, const QString &value)
{
    if (kind == QLatin1String("email"))
        return value.trimmed().toLower();
    if (kind == QLatin1String("postcode") || kind == QLatin1String("ni-number")) {
        QString compact = value.toUpper();
        compact.remove(QLatin1Char(' '));
        return compact;
    }
    if (kind == QLatin1String("phone")) {
        QString digits;
        for (const QChar c : value) {
            if (c.isDigit())
                digits.append(c);
        }
        if (value.trimmed().startsWith(QLatin1Char('+')) && digits.startsWith(QLatin1String("44")))
            digits = QLatin1Char('0') + digits.mid(2);
        return digits;
    }
    return collapseSpaces(value).toLower();
}

Result<IntakeForm> IntakeValidator::validate(const IntakeForm &input) const
{
    IntakeForm form = input;
    QStringList problems;

    if (form.right.isEmpty())
        problems << QStringLiteral("right: missing; give one of %1").arg(knownRights().join(QStringLiteral(", ")));
    else if (!knownRights().contains(form.right))
        problems << QStringLiteral("right: unknown right %1; use one of %2")
                        .arg(quoted(form.right), knownRights().join(QStringLiteral(", ")));

    if (form.channel.isEmpty())
        problems << QStringLiteral("channel: missing; give one of %1").arg(knownChannels().join(QStringLiteral(", ")));
    else if (!knownChannels().contains(form.channel))
        problems << QStringLiteral("channel: unknown channel %1; use one of %2")
                        .arg(quoted(form.channel), knownChannels().join(QStringLiteral(", ")));

    if (!form.received.isValid())
        form.received = m_now;
    else if (form.received.toUTC().date() < kEarliestReceipt)
        problems << QStringLiteral("received: %1 is before 25 May 2018, when the UK GDPR and the Data Protection Act 2018 "
                                   "began; Rightsflow does not hold older requests")
                        .arg(form.received.toUTC().toString(Qt::ISODate));
    else if (form.received > m_now.addSecs(kAllowedClockSkewSecs))
        problems << QStringLiteral("received: %1 is in the future (now is %2)")
                        .arg(form.received.toUTC().toString(Qt::ISODate), m_now.toUTC().toString(Qt::ISODate));

    // Every field a person typed: no control characters where they could
    // forge output, and a length limit, before its format is looked at (a
    // field refused here is never quoted back).
    const auto field = [](const QString &prefix, const char *name) { return prefix + QLatin1Char('.') + QLatin1String(name); };
    auto checkPerson = [&problems, &field](const QString &prefix, const Person &person) {
        if (!checkText(problems, field(prefix, "name"), person.name, TextRule::kName) && person.name.trimmed().isEmpty())
            problems << QStringLiteral("%1.name: missing; every request needs the person's name").arg(prefix);
        if (!checkText(problems, field(prefix, "email"), person.email, TextRule::kEmail) && !person.email.isEmpty()) {
            if (Result<EmailAddress> email = EmailAddress::parse(person.email.trimmed()); !email)
                problems << QStringLiteral("%1.email: %2").arg(prefix, email.error().message);
        }
        if (!checkText(problems, field(prefix, "phone"), person.phone, TextRule::kPhone) && !person.phone.isEmpty()
            && !isPhoneNumber(person.phone))
            problems << QStringLiteral("%1.phone: %2 is not a telephone number").arg(prefix, quoted(person.phone));
        checkText(problems, field(prefix, "address"), person.address, TextRule::kAddress);
        if (!checkText(problems, field(prefix, "postcode"), person.postcode, TextRule::kPostcode) && !person.postcode.isEmpty()
            && !isUkPostcode(person.postcode))
            problems
                << QStringLiteral("%1.postcode: %2 is not a UK postcode (e.g. L20 7AB)").arg(prefix, quoted(person.postcode));
    };

    checkPerson(QStringLiteral("requester"), form.requester);
    const Person &requester = form.requester;
    if (requester.email.trimmed().isEmpty() && requester.phone.trimmed().isEmpty() && requester.address.trimmed().isEmpty()) {
        problems << QStringLiteral("requester: no contact route; give an e-mail address, a telephone number "
                                   "or a postal address so the council can reply");
    }

    const bool badRelationship = checkText(problems, QStringLiteral("relationship"), form.relationship, TextRule::kName);
    checkText(problems, QStringLiteral("scope"), form.scope, TextRule::kNote);
    checkText(problems, QStringLiteral("assignee"), form.assignee, TextRule::kShortText);
    if (form.actingForSubject) {
        checkPerson(QStringLiteral("subject"), form.subject);
        if (!badRelationship && form.relationship.trimmed().isEmpty())
            problems << QStringLiteral("relationship: missing; a request made for someone else must say how the "
                                       "requester is related to the data subject (e.g. parent, solicitor, advocate)");
    } else if (!form.relationship.isEmpty() || !form.subject.name.isEmpty()) {
        problems << QStringLiteral("subject: details of a data subject were given but the request is not marked "
                                   "as made on someone else's behalf");
    }

    for (qsizetype i = 0; i < form.identifiers.size(); ++i) {
        const Identifier &id = form.identifiers.at(i);
        const QString where = QStringLiteral("identifiers[%1]").arg(i);
        if (!knownIdentifierKinds().contains(id.kind)) {
            problems << QStringLiteral("%1: unknown identifier kind %2; use one of %3")
                            .arg(where, quoted(printable(id.kind.left(100))), knownIdentifierKinds().join(QStringLiteral(", ")));
            continue;
        }
        const QHash<QString, const TextRule *> rules {{QStringLiteral("name"), &TextRule::kName},
            {QStringLiteral("email"), &TextRule::kEmail}, {QStringLiteral("phone"), &TextRule::kPhone},
            {QStringLiteral("address"), &TextRule::kAddress}, {QStringLiteral("postcode"), &TextRule::kPostcode}};
        if (checkText(
                problems, QStringLiteral("%1 (%2)").arg(where, id.kind), id.value, *rules.value(id.kind, &TextRule::kIdentifier)))
            continue;
        Result<EmailAddress> email
            = id.kind == QLatin1String("email") ? EmailAddress::parse(id.value.trimmed()) : Result<EmailAddress>(EmailAddress());
        if (id.value.trimmed().isEmpty())
            problems << QStringLiteral("%1 (%2): empty value").arg(where, id.kind);
        else if (!email)
            problems << QStringLiteral("%1 (email): %2").arg(where, email.error().message);
        else if (id.kind == QLatin1String("postcode") && !isUkPostcode(id.value))
            problems << QStringLiteral("%1 (postcode): %2 is not a UK postcode").arg(where, quoted(id.value));
        else if (id.kind == QLatin1String("ni-number") && !isNiNumber(id.value))
            problems << QStringLiteral("%1 (ni-number): %2 is not a National Insurance number (e.g. AB 12 34 56 C)")
                            .arg(where, quoted(id.value));
        else if (id.kind == QLatin1String("phone") && !isPhoneNumber(id.value))
            problems << QStringLiteral("%1 (phone): %2 is not a telephone number").arg(where, quoted(id.value));
    }

    if (!problems.isEmpty())
        return makeError(ErrorCode::Invalid,
            QStringLiteral("the request was not filed: %1 with what was given")
                .arg(problems.size() == 1 ? QStringLiteral("1 problem") : QStringLiteral("%1 problems").arg(problems.size())),
            problems);

    // The data subject's own details are identifiers too: they are what the
    // council's systems are searched by.
    const Person &subject = form.dataSubject();
    const std::pair<QString, QString> derived[] = {
        {QStringLiteral("name"), subject.name},
        {QStringLiteral("email"), subject.email},
        {QStringLiteral("phone"), subject.phone},
        {QStringLiteral("address"), subject.address},
        {QStringLiteral("postcode"), subject.postcode},
    };
    for (const auto &[kind, value] : derived) {
        if (value.trimmed().isEmpty())
            continue;
        const QString normal = normalizeIdentifier(kind, value);
        const bool present = std::any_of(form.identifiers.cbegin(), form.identifiers.cend(),
            [&](const Identifier &id) { return id.kind == kind && normalizeIdentifier(id.kind, id.value) == normal; });
        if (!present)
            form.identifiers.append(Identifier {kind, value.trimmed()});
    }
    return form;
}

} // namespace rf
