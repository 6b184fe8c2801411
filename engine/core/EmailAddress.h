// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QString>

namespace rf {

// An e-mail address as Rightsflow takes it, the same at intake and in the
// mailer, so that an address a request was filed with is always one a notice
// can be sent to (and a notice never parks for its address alone).
//
// The local part is an RFC 5321 dot-atom of ASCII, at most 64 octets: quoted
// local parts and non-ASCII local parts are refused, since they need SMTPUTF8
// end to end, which the council's relay and the recipient's may not offer. The
// domain is a host name: an internationalised one ("bücher.example") is taken
// and sent in its IDNA form ("xn--bcher-kva.example"); labels of 1 to 63
// letters, digits and hyphens, at most 253 octets, at least two labels, not
// all-numeric at the end. Address literals ("user@[192.0.2.1]") are refused:
// relays refuse them too. The whole, as sent, is at most 254 octets.
class EmailAddress
{
public:
    static constexpr qsizetype kMaxLocalPart = 64;
    static constexpr qsizetype kMaxDomain = 253;
    static constexpr qsizetype kMaxAddress = 254;

    // A domain of one label ("localhost") is no address a citizen has, but
    // the council's own sender may use one with a local relay (the default
    // sender is rightsflow@localhost): only the sender's address takes it.
    enum class Domain { Qualified, SenderMayBeLocal };

    // Parses `text` exactly (the caller trims); Invalid names what is wrong
    // and why, never repeating a character that cannot be printed.
    [[nodiscard]] static Result<EmailAddress> parse(const QString &text, Domain domain = Domain::Qualified);

    [[nodiscard]] const QString &localPart() const { return m_local; }
    // The domain as given (possibly Unicode) and as it goes on the wire.
    [[nodiscard]] const QString &domain() const { return m_domain; }
    [[nodiscard]] const QString &asciiDomain() const { return m_asciiDomain; }
    // local@ascii-domain: what SMTP commands and message headers carry.
    [[nodiscard]] QString ascii() const { return m_local + QLatin1Char('@') + m_asciiDomain; }

private:
    QString m_local;
    QString m_domain;
    QString m_asciiDomain;
};

} // namespace rf
