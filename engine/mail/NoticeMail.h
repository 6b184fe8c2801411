// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bundle/ProcessingRegister.h"
#include "delivery/PlainMessage.h"
#include "delivery/Sender.h"
#include "mail/MimeMessage.h"
#include "mail/NoticeTemplates.h"
#include "mail/SmtpClient.h"

#include <QMap>

#include <memory>

namespace rf {

// Turns an outbox message into the e-mail a person receives: its notice
// template (NoticeTemplates) filled with the request's facts from the
// message's payload and the council's contacts from the processing register
// (the controller, its DPO and the ICO), as a MIME message (MimeWriter).
class NoticeComposer
{
public:
    NoticeComposer(NoticeTemplates templates, ProcessingRegister council, MailIdentity identity);

    // The placeholder values for `message`; a value the message cannot
    // supply is absent, and rendering then names it.
    [[nodiscard]] QMap<QString, QString> values(const OutboxMessage &message) const;
    // The e-mail, or why it cannot be written (an unknown notice, a value
    // missing): a reason to park the message, not to retry it.
    [[nodiscard]] Result<MailMessage> compose(const OutboxMessage &message, const QDateTime &now) const;
    [[nodiscard]] const MailIdentity &identity() const { return m_identity; }
    [[nodiscard]] const NoticeTemplates &templates() const { return m_templates; }

private:
    NoticeTemplates m_templates;
    ProcessingRegister m_council;
    MailIdentity m_identity;
};

// Delivers e-mail notices through the council's relay (SmtpClient) and hands
// every other channel (post, telephone, internal) to `others` when given;
// without it those wait, retried and in the end parked, for an officer to see.
// A notice that cannot be written is parked at once with the reason. The
// response to an access or portability request carries its bundle when the
// register kept it (see EngineOptions::emailAttachmentLimit).
class SmtpSender final : public Sender
{
public:
    // `store` is where the response bundles to attach are read from.
    SmtpSender(SmtpSettings settings, std::shared_ptr<const NoticeComposer> composer, const Clock &clock,
        std::shared_ptr<Sender> others = {}, Store *store = nullptr);

    [[nodiscard]] QString describe() const override;
    [[nodiscard]] DeliveryResult deliver(const OutboxMessage &message) override;

private:
    SmtpSettings m_settings;
    std::shared_ptr<const NoticeComposer> m_composer;
    const Clock &m_clock;
    std::shared_ptr<Sender> m_others;
    Store *m_store;
};

} // namespace rf
