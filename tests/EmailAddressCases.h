// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// One table of e-mail addresses for intake (TestIntake) and the mailer
// (TestSmtp): an address intake files is one the mailer sends, to the form
// given here, and one intake refuses the mailer refuses too.

#include <QList>
#include <QString>

namespace rf::test {

struct EmailAddressCase {
    const char *label;
    QString address; // as a person typed it
    bool accepted;
    QString onTheWire; // accepted: local@IDNA-domain, as RCPT TO and To: carry it
    QString why; // refused: a phrase the refusal holds
};

inline QList<EmailAddressCase> emailAddressCases()
{
    const QString longLocal(64, QLatin1Char('a'));
    const QString label63(63, QLatin1Char('b'));
    // 4 labels of 63 and the dots: 255 octets, over the 253 a domain may have.
    const QString longDomain = QStringList {label63, label63, label63, label63}.join(QLatin1Char('.'));
    return {
        {"plain", QStringLiteral("m.ellis@example.org"), true, QStringLiteral("m.ellis@example.org"), {}},
        {"plus and apostrophe", QStringLiteral("o'brien+rights@council.gov.uk"), true,
            QStringLiteral("o'brien+rights@council.gov.uk"), {}},
        {"64-octet local part", longLocal + QStringLiteral("@example.org"), true, longLocal + QStringLiteral("@example.org"), {}},
        {"internationalised domain", QStringLiteral("zoe@b\u00fccher.example"), true, QStringLiteral("zoe@xn--bcher-kva.example"),
            {}},
        {"internationalised domain, upper case", QStringLiteral("zoe@B\u00dcCHER.example"), true,
            QStringLiteral("zoe@xn--bcher-kva.example"), {}},
        {"Welsh domain", QStringLiteral("post@caerdydd.cymru"), true, QStringLiteral("post@caerdydd.cymru"), {}},
        {"65-octet local part", QString(65, QLatin1Char('a')) + QStringLiteral("@example.org"), false, {},
            QStringLiteral("more than the 64")},
        {"non-ASCII local part", QStringLiteral("zo\u00eb@example.org"), false, {}, QStringLiteral("SMTPUTF8")},
        {"address literal", QStringLiteral("m@[192.0.2.1]"), false, {}, QStringLiteral("address literal")},
        {"IPv6 address literal", QStringLiteral("m@[IPv6:2001:db8::1]"), false, {}, QStringLiteral("address literal")},
        {"bare IP address", QStringLiteral("m@192.0.2.1"), false, {}, QStringLiteral("a number, not a domain name")},
        {"quoted local part", QStringLiteral("\"m ellis\"@example.org"), false, {}, QStringLiteral("space")},
        {"quoted local part with @", QStringLiteral("\"m@home\"@example.org"), false, {}, QStringLiteral("quoted")},
        {"domain too long", QStringLiteral("m@") + longDomain, false, {}, QStringLiteral("more than the")},
        {"label too long", QStringLiteral("m@") + label63 + QStringLiteral("b.example"), false, {}, QStringLiteral("domain")},
        {"no domain dot", QStringLiteral("m@localhost"), false, {}, QStringLiteral("no dot")},
        {"underscore in domain", QStringLiteral("m@my_host.example"), false, {}, QStringLiteral("domain")},
        {"double dot", QStringLiteral("m..ellis@example.org"), false, {}, QStringLiteral("two in a row")},
        {"line break", QStringLiteral("m@example.org\r\nBcc: x@y.example"), false, {}, QStringLiteral("line break")},
        {"two @", QStringLiteral("a@b@c.uk"), false, {}, QStringLiteral("more than one '@'")},
    };
}

} // namespace rf::test
