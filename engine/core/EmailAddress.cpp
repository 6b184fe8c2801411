// SPDX-License-Identifier: GPL-3.0-or-later
#include "EmailAddress.h"

#include "core/Text.h"

#include <QUrl>

namespace rf {

namespace {

bool isAtext(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9')
        || QStringView(u"!#$%&'*+-/=?^_`{|}~").contains(c);
}

bool isAscii(const QString &text)
{
    return std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c.unicode() < 0x80; });
}

Error refused(const QString &text, const QString &why)
{
    return makeError(ErrorCode::Invalid,
        QStringLiteral("'%1' is not an e-mail address Rightsflow can send to: %2").arg(printable(text.left(300)), why));
}

} // namespace

Result<EmailAddress> EmailAddress::parse(const QString &text, Domain kind)
{
    // First, so that nothing below quotes a line break back or is fooled by
    // one (an address with CRLF in it could forge a header or a command).
    for (const QChar c : text) {
        if (c.unicode() <= 0x20 || c.unicode() == 0x7f || printable(QString(c)) != QString(c))
            return refused(text, QStringLiteral("it holds a space, a line break or a control character"));
    }
    if (text.size() > 4 * kMaxAddress)
        return refused(text, QStringLiteral("it is far longer than the %1 characters an address may have").arg(kMaxAddress));
    const qsizetype at = text.lastIndexOf(QLatin1Char('@'));
    if (at < 0)
        return refused(text, QStringLiteral("it has no '@' (name@example.org)"));
    const QString local = text.left(at);
    const QString domain = text.mid(at + 1);
    if (local.isEmpty())
        return refused(text, QStringLiteral("nothing comes before the '@'"));
    if (domain.isEmpty())
        return refused(text, QStringLiteral("no domain comes after the '@'"));
    if (domain.startsWith(QLatin1Char('[')))
        return refused(text,
            QStringLiteral("an address literal such as [192.0.2.1] after the '@' is not taken (relays refuse them); ask for "
                           "an address with a domain name"));
    if (local.startsWith(QLatin1Char('"')))
        return refused(
            text, QStringLiteral("a quoted local part (\"...\" before the '@') is not taken: ask for an address without quotes"));
    if (local.contains(QLatin1Char('@')))
        return refused(text, QStringLiteral("it has more than one '@'"));
    if (!isAscii(local))
        return refused(text,
            QStringLiteral("the part before the '@' has non-ASCII characters, which only mail servers with SMTPUTF8 carry "
                           "and Rightsflow does not send; ask for another address"));
    if (local.toLatin1().size() > kMaxLocalPart)
        return refused(text,
            QStringLiteral("the part before the '@' is %1 characters, more than the %2 mail servers take")
                .arg(local.size())
                .arg(kMaxLocalPart));
    if (local.startsWith(QLatin1Char('.')) || local.endsWith(QLatin1Char('.')) || local.contains(QLatin1String("..")))
        return refused(text, QStringLiteral("the part before the '@' starts or ends with a dot, or has two in a row"));
    for (const QChar c : local) {
        if (c != QLatin1Char('.') && !isAtext(c))
            return refused(text,
                c.unicode() <= 0x20 || c.unicode() == 0x7f
                    ? QStringLiteral("it holds a space or a control character")
                    : QStringLiteral("the part before the '@' holds '%1', which an address cannot hold unquoted").arg(c));
    }

    // IDNA (UTS #46 non-transitional, as current browsers do): "bücher" to
    // "xn--bcher-kva"; an empty answer is a domain IDNA cannot write.
    const QString ace = QString::fromLatin1(QUrl::toAce(domain));
    if (ace.isEmpty())
        return refused(text, QStringLiteral("the domain after the '@' is not a valid domain name"));
    if (ace.size() > kMaxDomain)
        return refused(text,
            QStringLiteral("the domain is %1 characters as sent, more than the %2 a domain may have")
                .arg(ace.size())
                .arg(kMaxDomain));
    const QStringList labels = ace.split(QLatin1Char('.'));
    if (labels.size() < 2 && kind == Domain::Qualified)
        return refused(text, QStringLiteral("the domain after the '@' has no dot (name@example.org)"));
    for (const QString &label : labels) {
        if (label.isEmpty())
            return refused(text, QStringLiteral("the domain starts or ends with a dot, or has two in a row"));
        if (label.size() > 63)
            return refused(text, QStringLiteral("a part of the domain is longer than the 63 characters a part may have"));
        if (label.startsWith(QLatin1Char('-')) || label.endsWith(QLatin1Char('-')))
            return refused(text, QStringLiteral("a part of the domain starts or ends with a hyphen"));
        for (const QChar c : label) {
            const char16_t u = c.unicode();
            if (!((u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z') || (u >= u'0' && u <= u'9') || u == u'-'))
                return refused(
                    text, QStringLiteral("the domain holds '%1', which a domain name cannot hold").arg(printable(QString(c))));
        }
    }
    const QString &last = labels.constLast();
    if (std::all_of(last.cbegin(), last.cend(), [](QChar c) { return c.isDigit(); }))
        return refused(text, QStringLiteral("the part after the '@' is a number, not a domain name"));
    if (local.size() + 1 + ace.size() > kMaxAddress)
        return refused(text,
            QStringLiteral("it is %1 characters as sent, more than the %2 an address may have")
                .arg(local.size() + 1 + ace.size())
                .arg(kMaxAddress));
    EmailAddress address;
    address.m_local = local;
    address.m_domain = domain;
    address.m_asciiDomain = ace;
    return address;
}

} // namespace rf
