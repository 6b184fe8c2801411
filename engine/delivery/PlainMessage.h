// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "request/Records.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace rf {

// Who the council's messages come from.
struct MailIdentity {
    QString fromName = QStringLiteral("Information Governance");
    QString fromAddress = QStringLiteral("rightsflow@localhost");

    // RIGHTSFLOW_MAIL_FROM ("Name <address>" or an address), else the defaults.
    [[nodiscard]] static MailIdentity fromEnvironment();
};

// An outbox message as an Internet message (RFC 5322, UTF-8 plain text):
// what the file-drop sender writes as an .eml file. Headers carry the
// idempotency key (X-Rightsflow-Idempotency-Key, and the Message-ID derived
// from it) so that a message delivered twice is recognisably the same one.
// The wording here is a plain summary; the council's notice templates
// replace it when e-mail delivery arrives.
[[nodiscard]] QByteArray renderPlainMessage(const OutboxMessage &message, const MailIdentity &identity, const QDateTime &date);

} // namespace rf
