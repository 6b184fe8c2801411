// SPDX-License-Identifier: GPL-3.0-or-later
#include "mail/NoticeMail.h"

#include "calendar/DeadlineCalculator.h"
#include "core/Clock.h"

#include "store/ContentDevice.h"

#include <QBuffer>
#include <QJsonObject>

namespace rf {

namespace {

// "your request for ..." (resources/templates/README.md).
QString rightLabel(const QString &right)
{
    static const QMap<QString, QString> labels {
        {QStringLiteral("access"), QStringLiteral("access to your personal data")},
        {QStringLiteral("rectification"), QStringLiteral("the correction of your personal data")},
        {QStringLiteral("erasure"), QStringLiteral("the erasure of your personal data")},
        {QStringLiteral("restriction"), QStringLiteral("the restriction of the use of your personal data")},
        {QStringLiteral("portability"), QStringLiteral("a portable copy of the data you gave us")},
        {QStringLiteral("objection"), QStringLiteral("us to stop using your personal data (objection)")},
        {QStringLiteral("automated-decision"), QStringLiteral("a review of a decision made by automated means")},
    };
    return labels.value(right);
}

// What the final response says the council did, by right. The officer's own
// account stays in the case; the notice says what the law requires it to.
QString outcomeFor(const QString &right, const QJsonObject &inputs)
{
    if (right == QLatin1String("access"))
        return QStringLiteral("We have searched our records and have sent you a copy of the personal information we hold about "
                              "you, with a letter explaining how we use it.");
    if (right == QLatin1String("portability")) {
        const QString to = inputs.value(QStringLiteral("receiving-controller")).toString().trimmed();
        return to.isEmpty() ? QStringLiteral("We have prepared the data you gave us in a structured, machine-readable form (JSON "
                                             "and CSV) that you can take to another organisation.")
                            : QStringLiteral("We have sent the data you gave us, in a structured, machine-readable form, "
                                             "directly to %1 as you asked.")
                                  .arg(to);
    }
    if (right == QLatin1String("rectification"))
        return QStringLiteral("We have corrected your personal data as you asked, and told those we had shared it with.");
    if (right == QLatin1String("erasure"))
        return QStringLiteral("We have erased your personal data as you asked, and told those we had shared it with.");
    if (right == QLatin1String("restriction"))
        return QStringLiteral("We have restricted the use of your personal data: we keep it but do not otherwise use it.");
    if (right == QLatin1String("objection"))
        return QStringLiteral("We have stopped using your personal data for the purposes you objected to.");
    if (right == QLatin1String("automated-decision"))
        return QStringLiteral("A member of staff has reviewed the decision made about you by automated means.");
    return {};
}

QString britishDay(const QString &isoDate)
{
    const QDate date = QDate::fromString(isoDate, Qt::ISODate);
    return date.isValid() ? DeadlineCalculator::britishDate(date) : QString();
}

// The response e-mail carries the bundle only when the officer sent the
// response by e-mail and the register kept the bundle for it.
bool attachesBundle(const OutboxMessage &message)
{
    const QJsonObject &p = message.payload;
    return p.value(QStringLiteral("bundle")).toObject().value(QStringLiteral("attach")).toBool()
        && p.value(QStringLiteral("action")).toString() == QLatin1String("send-response")
        && p.value(QStringLiteral("inputs")).toObject().value(QStringLiteral("delivery")).toString() == QLatin1String("email");
}

void put(QMap<QString, QString> &values, const QString &key, const QString &value)
{
    if (!value.trimmed().isEmpty())
        values.insert(key, value.trimmed());
}

} // namespace

NoticeComposer::NoticeComposer(NoticeTemplates templates, ProcessingRegister council, MailIdentity identity)
    : m_templates(std::move(templates))
    , m_council(std::move(council))
    , m_identity(std::move(identity))
{ }

QMap<QString, QString> NoticeComposer::values(const OutboxMessage &message) const
{
    const QJsonObject &p = message.payload;
    const QJsonObject inputs = p.value(QStringLiteral("inputs")).toObject();
    auto input = [&inputs](const QString &name) { return inputs.value(name).toVariant().toString(); };
    const QString right = p.value(QStringLiteral("right")).toString();
    QMap<QString, QString> v;
    put(v, QStringLiteral("reference"), p.value(QStringLiteral("reference")).toString());
    put(v, QStringLiteral("requester_name"), p.value(QStringLiteral("requesterName")).toString());
    put(v, QStringLiteral("subject_name"), p.value(QStringLiteral("subjectName")).toString());
    put(v, QStringLiteral("right_label"), rightLabel(right));
    const QDateTime received = parseIsoDateTime(p.value(QStringLiteral("received")).toString());
    if (received.isValid())
        put(v, QStringLiteral("received_date"), DeadlineCalculator::britishDate(received.toTimeZone(councilTimeZone()).date()));
    // An extension notice gives the date before it and the new one.
    const bool extension = message.templateName == QLatin1String("extension");
    put(v, QStringLiteral("due_date"),
        britishDay(p.value(extension ? QStringLiteral("dueBefore") : QStringLiteral("due")).toString()));
    put(v, QStringLiteral("extended_due_date"), britishDay(p.value(QStringLiteral("due")).toString()));
    put(v, QStringLiteral("extension_reason"), input(QStringLiteral("reason")));
    put(v, QStringLiteral("refusal_reason"), input(QStringLiteral("reason")));
    for (const QString &name : {QStringLiteral("grounds"), QStringLiteral("ground"), QStringLiteral("exemption"),
             QStringLiteral("basis"), QStringLiteral("lawful-basis")}) {
        if (!v.contains(QStringLiteral("refusal_grounds")))
            put(v, QStringLiteral("refusal_grounds"), input(name));
    }
    QString amount = input(QStringLiteral("amount")).trimmed();
    if (!amount.isEmpty() && amount.front().isDigit())
        amount.prepend(QChar(0x00A3));
    put(v, QStringLiteral("fee_amount"), amount);
    put(v, QStringLiteral("fee_reason"), input(QStringLiteral("reason")));
    put(v, QStringLiteral("evidence_needed"), input(QStringLiteral("evidence-needed")));
    put(v, QStringLiteral("clarification_question"), input(QStringLiteral("question")));
    put(v, QStringLiteral("systems_searched"), input(QStringLiteral("systems-searched")));
    put(v, QStringLiteral("lift_date"), britishDay(input(QStringLiteral("lift-on"))));
    put(v, QStringLiteral("lift_reason"), input(QStringLiteral("reason")));
    put(v, QStringLiteral("outcome"), outcomeFor(right, inputs));
    const QJsonObject bundle = p.value(QStringLiteral("bundle")).toObject();
    const QString delivery = input(QStringLiteral("delivery"));
    const bool byDownload = p.value(QStringLiteral("action")).toString() == QLatin1String("send-by-download")
        || delivery == QLatin1String("secure-download");
    QString bundleNote;
    if (attachesBundle(message))
        bundleNote = QStringLiteral("Your information is in the attached zip file, %1. Open it and start with README.html, "
                                    "which explains every file; the covering letter is letter.pdf.")
                         .arg(bundle.value(QStringLiteral("file")).toString());
    else if (!bundle.isEmpty() && (byDownload || delivery == QLatin1String("email")))
        bundleNote
            = QStringLiteral("Your information is in a zip file of %1 MB. We will send you a link to download it "
                             "securely; e-mail is not a safe way to send it, and we will not protect it with a zip "
                             "password, which is easily broken.")
                  .arg(QString::number(bundle.value(QStringLiteral("size")).toString().toDouble() / (1024.0 * 1024.0), 'f', 1));
    else if (right == QLatin1String("access") || right == QLatin1String("portability")) {
        static const QMap<QString, QString> routes {
            {QStringLiteral("post"), QStringLiteral("by post")},
            {QStringLiteral("removable-media"), QStringLiteral("on a memory stick or disc, by post")},
            {QStringLiteral("collected-in-person"), QStringLiteral("for you to collect in person")},
            {QStringLiteral("direct-transmission"), QStringLiteral("directly to the organisation you named")},
        };
        const QString route = routes.value(delivery);
        bundleNote = route.isEmpty()
            ? QStringLiteral("The files that come with this response are sent to you separately.")
            : QStringLiteral("The files that come with this response are sent %1, as you asked.").arg(route);
    } else {
        bundleNote = QStringLiteral("There are no files with this response: this message is our full answer.");
    }
    put(v, QStringLiteral("bundle_note"), bundleNote);
    // Notices to requesters are signed by the team; staff notices name who
    // has the request.
    const bool toStaff = message.recipientRole != QLatin1String("requester");
    const QString assignee = p.value(QStringLiteral("assignee")).toString();
    put(v, QStringLiteral("officer_name"),
        toStaff ? (assignee.isEmpty() ? QStringLiteral("not assigned") : assignee)
                : QStringLiteral("Information Governance Team"));
    const Controller &controller = m_council.controller();
    const DpoContact &dpo = m_council.dpo();
    const ComplaintAuthority &ico = m_council.complaints();
    put(v, QStringLiteral("council_name"), controller.name);
    put(v, QStringLiteral("council_address"), controller.address);
    put(v, QStringLiteral("council_email"), controller.email);
    put(v, QStringLiteral("council_website"), controller.website);
    put(v, QStringLiteral("council_phone"), dpo.phone); // the register gives one telephone number, the DPO's office
    put(v, QStringLiteral("dpo_name"), dpo.name);
    put(v, QStringLiteral("dpo_email"), dpo.email);
    put(v, QStringLiteral("dpo_address"), dpo.address);
    put(v, QStringLiteral("ico_website"), ico.website);
    put(v, QStringLiteral("ico_phone"), ico.phone);
    return v;
}

Result<MailMessage> NoticeComposer::compose(const OutboxMessage &message, const QDateTime &now) const
{
    Result<RenderedNotice> rendered = m_templates.render(message.templateName, values(message));
    if (!rendered)
        return makeError(rendered.error().code,
            QStringLiteral("the notice '%1' cannot be written: %2").arg(message.templateName, rendered.error().fullText()));
    MailMessage mail;
    mail.from = MailAddress {m_identity.fromName, m_identity.fromAddress};
    mail.to = {MailAddress {message.recipientName, message.recipientAddress}};
    if (!m_council.dpo().email.isEmpty() && message.recipientRole == QLatin1String("requester"))
        mail.replyTo = MailAddress {m_council.dpo().name, m_council.dpo().email};
    mail.subject = rendered->subject;
    mail.text = rendered->text;
    mail.html = rendered->html;
    mail.date = now;
    QString key = message.idempotencyKey;
    key.replace(QLatin1Char('/'), QLatin1Char('.'));
    const QString domain = m_identity.fromAddress.section(QLatin1Char('@'), 1);
    // The same message, delivered again, has the same Message-ID.
    mail.messageId = key + QLatin1Char('@') + (domain.isEmpty() ? QStringLiteral("rightsflow.invalid") : domain);
    mail.idempotencyKey = message.idempotencyKey;
    return mail;
}

SmtpSender::SmtpSender(SmtpSettings settings, std::shared_ptr<const NoticeComposer> composer, const Clock &clock,
    std::shared_ptr<Sender> others, Store *store)
    : m_settings(std::move(settings))
    , m_composer(std::move(composer))
    , m_clock(clock)
    , m_others(std::move(others))
    , m_store(store)
{ }

QString SmtpSender::describe() const
{
    return QStringLiteral("e-mail through %1%2")
        .arg(m_settings.describe(),
            m_others ? QStringLiteral("; other channels: %1").arg(m_others->describe())
                     : QStringLiteral("; other channels (letters, calls, staff without e-mail) are retried and then "
                                      "parked for an officer: give --drop-dir"));
}

DeliveryResult SmtpSender::deliver(const OutboxMessage &message)
{
    if (message.channel != QLatin1String("email")) {
        if (m_others)
            return m_others->deliver(message);
        return DeliveryResult::temporary(
            QStringLiteral("no route for the %1 channel: give the worker --drop-dir for letters, calls and staff notices")
                .arg(message.channel));
    }
    Result<MailMessage> mail = m_composer->compose(message, m_clock.now());
    if (!mail)
        return DeliveryResult::permanent(mail.error().fullText());
    // The response bundle, when the register kept it for e-mail: exactly the
    // bytes whose SHA-256 the audit trail holds.
    const QJsonObject bundle = message.payload.value(QStringLiteral("bundle")).toObject();
    if (attachesBundle(message)) {
        if (!m_store)
            return DeliveryResult::permanent(
                QStringLiteral("the response bundle cannot be attached: no register to read it from"));
        Result<Request> request = m_store->loadRequest(message.reference, RequestDetail::Record);
        if (!request)
            return DeliveryResult::temporary(request.error().message);
        const QString sha256 = bundle.value(QStringLiteral("sha256")).toString();
        ContentDevice content(*m_store, request->id, sha256, bundle.value(QStringLiteral("size")).toString().toLongLong());
        QBuffer bytes;
        bytes.open(QIODevice::WriteOnly);
        bool damaged = false;
        if (Status s = content.copyTo(&bytes, &damaged); !s) {
            const QString why = QStringLiteral("the response bundle %1 cannot be attached: %2")
                                    .arg(bundle.value(QStringLiteral("file")).toString(), s.error().message);
            // A register that could not be read just now may be readable at
            // the next attempt; a damaged bundle never will be.
            return damaged ? DeliveryResult::permanent(why) : DeliveryResult::temporary(why);
        }
        mail->attachments.append(
            MailAttachment {bundle.value(QStringLiteral("file")).toString(), QStringLiteral("application/zip"), bytes.data()});
    }
    Result<QByteArray> bytes = MimeWriter::render(*mail);
    if (!bytes)
        return DeliveryResult::permanent(QStringLiteral("the message cannot be written: %1").arg(bytes.error().fullText()));
    const SmtpOutcome outcome
        = SmtpClient(m_settings).send(m_composer->identity().fromAddress, {message.recipientAddress}, *bytes);
    switch (outcome.kind) {
    case SmtpOutcome::Kind::Sent:
        return DeliveryResult::delivered();
    case SmtpOutcome::Kind::Temporary:
        return DeliveryResult::temporary(outcome.detail);
    case SmtpOutcome::Kind::Permanent:
        return DeliveryResult::permanent(outcome.detail);
    }
    return DeliveryResult::temporary(outcome.detail);
}

} // namespace rf
