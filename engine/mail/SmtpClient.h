// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace rf {

// How to reach the council's mail relay, from a URL:
//   smtp://relay.example:25?starttls=required     STARTTLS, refused without it
//   smtp://relay.example:587                      STARTTLS, refused without it (the default: starttls=required)
//   smtp://relay.example:587?starttls=optional    STARTTLS when offered (an attacker can strip it: avoid)
//   smtp://127.0.0.1:2525?starttls=none           plain, for a loopback relay only
//   smtps://user:secret@relay.example:465         implicit TLS, AUTH
// Options: starttls=required|optional|none (not with smtps://);
// allow-self-signed=true|false (a self-signed relay certificate, or a chain
// ending in a self-signed root, is accepted; a host name mismatch or an expired
// certificate still is not: pin those); pin=sha256:HEX (the relay's certificate
// must have this SHA-256 digest, 64 hex digits, colons allowed as
// `openssl x509 -noout -fingerprint -sha256` prints them; with a matching
// digest every other certificate error, host name included, is ignored);
// timeout=SECONDS (each step, 1 to 3600; default 30); helo=NAME (a host name or
// an address literal; default the machine's host name, else the local address
// literal); auth-in-clear=yes-i-know (the only value: the user and password may
// cross an unencrypted session; without it a user with starttls=none is an
// error, and with starttls=optional a relay that gives no STARTTLS gets no
// AUTH and the message fails permanently). The port defaults to 25 for smtp://, 465 for smtps://. User and
// password are percent-decoded. Anything else in the URL (an unknown or
// repeated option, a path, a bad port) is an error naming it, never repeating
// the URL. Credentials never appear in describe(), errors or logs.
struct SmtpSettings {
    enum class Tls { None, StartTlsOptional, StartTlsRequired, Implicit };
    QString host;
    quint16 port = 25;
    Tls tls = Tls::StartTlsOptional;
    QString user;
    QString password;
    bool allowSelfSigned = false;
    QByteArray pinnedSha256; // raw 32 bytes, or empty
    int timeoutSeconds = 30;
    QString heloName;
    bool authInClear = false; // auth-in-clear=yes-i-know

    [[nodiscard]] static Result<SmtpSettings> fromUrl(const QString &url);
    // "smtps://user@relay.example:465" without the password: a URL that
    // fromUrl() reads back to the same settings less the password, with the
    // port always and the options that differ from the defaults.
    [[nodiscard]] QString describe() const;
};

// What one submission came to, classified as the outbox needs it.
struct SmtpOutcome {
    enum class Kind { Sent, Temporary, Permanent };
    Kind kind = Kind::Sent;
    int replyCode = 0; // the server's reply that decided it, 0 when none (connection, TLS, timeout)
    QString detail; // for a person: the step and the server's reply, never credentials
};

// Submits messages to a relay over QSslSocket, synchronously (the worker's
// thread blocks; every step, a command and its whole reply, has the timeout):
// greeting, EHLO (HELO when EHLO is refused), STARTTLS (and EHLO again under
// TLS), AUTH PLAIN, else LOGIN (when a user is configured; never over an
// unencrypted connection unless the URL says auth-in-clear=yes-i-know, not even
// to a loopback address, which a tunnel or proxy may forward), MAIL FROM with
// SIZE and BODY=8BITMIME when offered, RCPT TO for each recipient, DATA, then
// RSET for a transaction left open and QUIT. With starttls=optional a relay
// that does not offer or refuses STARTTLS is used unencrypted, but a
// certificate that fails the checks is never a reason to fall back to plain.
// The message goes out in chunks with every line ending made CRLF (a bare CR
// or LF could let a receiving server see an end of data we did not send) and
// a leading '.' doubled; a last line without a line ending is closed. One
// refused recipient ends the whole submission: nothing is half-delivered.
//
// Temporary: 4xx replies, a refused or dropped connection, a timeout, a TLS
// handshake that fails for a network reason, a malformed reply, plaintext sent
// after the STARTTLS reply. Permanent: 5xx replies, certificate errors not
// allowed by the settings, a TLS handshake the two sides cannot agree on, a
// required STARTTLS not offered, AUTH needed but not possible (or not safe:
// unencrypted without auth-in-clear), a message bigger than the server's SIZE, an
// envelope address that would break the command line, an empty message.
class SmtpClient
{
public:
    explicit SmtpClient(SmtpSettings settings);

    [[nodiscard]] SmtpOutcome send(const QString &envelopeFrom, const QStringList &recipients, const QByteArray &message);

private:
    SmtpSettings m_settings;
};

} // namespace rf
