// SPDX-License-Identifier: GPL-3.0-or-later
// Intake forms as an officer or the web form fills them in (`rightsflow
// request new`): the input is the form's fields, one a line, in the order of
// kFields; the lines after them are identifiers, KIND=VALUE as --identifier
// takes them. What IntakeValidator accepts, it accepts again unchanged.
#include "FuzzSupport.h"

#include "core/Clock.h"
#include "request/IntakeValidator.h"

#include <QList>

namespace {

// The order of the fields in an input (documents the seed files).
enum Field {
    Right,
    Channel,
    Received,
    Name,
    Email,
    Phone,
    Address,
    Postcode,
    SubjectName,
    SubjectEmail,
    SubjectPostcode,
    Relationship,
    Authority,
    Scope,
    Assignee,
    kFields
};

bool formsEqual(const rf::IntakeForm &a, const rf::IntakeForm &b)
{
    return a.right == b.right && a.channel == b.channel && a.received == b.received && a.requester == b.requester
        && a.actingForSubject == b.actingForSubject && a.subject == b.subject && a.relationship == b.relationship
        && a.authorityReceived == b.authorityReceived && a.identifiers == b.identifiers && a.scope == b.scope
        && a.assignee == b.assignee;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const bool started = rf::fuzz::quietStart();
    Q_UNUSED(started);
    const QStringList lines = QString::fromUtf8(rf::fuzz::bytes(data, size)).split(QLatin1Char('\n'));
    const auto field = [&lines](int i) { return i < lines.size() ? lines.at(i) : QString(); };

    // As the CLI builds the form from its options.
    rf::IntakeForm form;
    form.right = field(Right).trimmed();
    form.channel = field(Channel).trimmed();
    if (!field(Received).isEmpty()) {
        form.received = rf::parseIsoDateTime(field(Received));
        if (!form.received.isValid())
            return 0; // the CLI refuses it before the validator sees it
    }
    form.requester = rf::Person {field(Name).trimmed(), field(Email).trimmed(), field(Phone).trimmed(), field(Address).trimmed(),
        field(Postcode).trimmed()};
    form.subject
        = rf::Person {field(SubjectName).trimmed(), field(SubjectEmail).trimmed(), {}, {}, field(SubjectPostcode).trimmed()};
    form.relationship = field(Relationship).trimmed();
    form.authorityReceived = field(Authority).trimmed() == QLatin1String("yes");
    form.actingForSubject = !form.subject.name.isEmpty() || !form.subject.email.isEmpty() || !form.subject.postcode.isEmpty()
        || !form.relationship.isEmpty() || form.authorityReceived;
    form.scope = field(Scope);
    form.assignee = field(Assignee).trimmed();
    for (qsizetype i = kFields; i < lines.size(); ++i) {
        const qsizetype eq = lines.at(i).indexOf(QLatin1Char('='));
        if (eq <= 0)
            continue; // refused by the CLI
        form.identifiers.append(rf::Identifier {lines.at(i).left(eq).trimmed(), lines.at(i).mid(eq + 1).trimmed()});
    }

    const rf::IntakeValidator validator(QDateTime(QDate(2026, 3, 2), QTime(9, 30), Qt::UTC));
    const rf::Result<rf::IntakeForm> checked = validator.validate(form);
    rf::fuzz::requireExplained(checked, "IntakeValidator::validate");
    for (const QString &line : lines) {
        (void)rf::IntakeValidator::isEmail(line);
        (void)rf::IntakeValidator::isUkPostcode(line);
        (void)rf::IntakeValidator::isNiNumber(line);
        (void)rf::IntakeValidator::isPhoneNumber(line);
    }
    if (!checked)
        return 0;
    for (const rf::Identifier &id : checked->identifiers) {
        const QString normal = rf::IntakeValidator::normalizeIdentifier(id.kind, id.value);
        rf::fuzz::require(rf::IntakeValidator::normalizeIdentifier(id.kind, normal) == normal,
            "a normalised identifier is its own normal form", id.kind + QLatin1Char('=') + id.value);
    }
    const rf::Result<rf::IntakeForm> again = validator.validate(*checked);
    rf::fuzz::require(bool(again), "an accepted form is accepted again", again ? QString() : again.error().fullText());
    rf::fuzz::require(formsEqual(*again, *checked), "an accepted form is accepted again unchanged");
    return 0;
}
