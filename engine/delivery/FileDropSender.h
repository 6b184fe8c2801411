// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "delivery/PlainMessage.h"
#include "delivery/Sender.h"

namespace rf {

// Delivers by writing each message as an .eml file into a folder, one
// subfolder per channel (email, post, telephone, internal): for air-gapped
// installs, a mail gateway that picks files up, or the post room printing
// letters. The file is named after the idempotency key and written whole or
// not at all (temporary file, then rename), so delivering a message again
// replaces it with the same content rather than adding a second copy.
class FileDropSender final : public Sender
{
public:
    FileDropSender(QString directory, MailIdentity identity, const Clock &clock);

    [[nodiscard]] QString describe() const override;
    [[nodiscard]] DeliveryResult deliver(const OutboxMessage &message) override;
    // Where a message is (or would be) written.
    [[nodiscard]] QString pathFor(const OutboxMessage &message) const;

private:
    QString m_directory;
    MailIdentity m_identity;
    const Clock &m_clock;
};

} // namespace rf
