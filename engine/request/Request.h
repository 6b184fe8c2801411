// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "calendar/DeadlineCalculator.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace rf {

// The rights a data subject can exercise (UK GDPR Arts 15-22D). The names are
// the stable identifiers used in the register, workflow files and the CLI.
[[nodiscard]] const QStringList &knownRights();
// How a request reached the council.
[[nodiscard]] const QStringList &knownChannels();
// The kinds of identifier used to find a subject's data in the council's systems.
[[nodiscard]] const QStringList &knownIdentifierKinds();
// The roles a user can hold; workflow transitions name which may fire them.
[[nodiscard]] const QStringList &knownRoles();

struct Identifier {
    QString kind; // one of knownIdentifierKinds(): name, email, phone, address, postcode, ni-number, account
    QString value; // as given
    bool operator==(const Identifier &) const = default;
};

// A person: the requester, or the data subject when someone acts for them.
struct Person {
    QString name;
    QString email;
    QString phone;
    QString address;
    QString postcode;
    bool operator==(const Person &) const = default;
};

// What an officer (or the web form) submits to open a request.
struct IntakeForm {
    QString right;
    QString channel;
    QDateTime received; // when the council received it; defaults to now
    Person requester;
    bool actingForSubject = false;
    Person subject; // used when actingForSubject
    QString relationship; // e.g. "parent", "solicitor"; required when acting for the subject
    bool authorityReceived = false;
    QList<Identifier> identifiers;
    QString scope;
    QString assignee;

    [[nodiscard]] const Person &dataSubject() const { return actingForSubject ? subject : requester; }
};

struct Note {
    QDateTime at;
    QString author;
    QString text;
};

struct Attachment {
    qint64 id = 0;
    QString name;
    QString mediaType;
    QString sha256;
    qint64 size = 0;
    QString addedBy;
    QDateTime addedAt;
};

// A request as held in the register. `version` increases with every change
// and is what a caller quotes back when firing an action (optimistic locking).
struct Request {
    qint64 id = 0;
    QString reference;
    QString right;
    QString channel;
    QDateTime received;
    Person requester;
    bool actingForSubject = false;
    Person subject;
    QString relationship;
    bool authorityReceived = false;
    QList<Identifier> identifiers;
    QString scope;
    QString assignee;
    QString state;
    QString workflowId;
    QString workflowHash;
    qint64 version = 0;
    QString possibleDuplicateOf;
    QDateTime identityVerifiedAt;
    QDateTime respondedAt;
    QDateTime closedAt;

    // The statutory clock: what the deadline depends on, kept up to date as
    // the request moves through states that start, pause or stop it.
    QString ruleSet; // pinned on receipt: the rules in force that day
    QDate identityReceived; // identity or authority evidence, when it was awaited
    QDate feePaid;
    bool awaitingEvidence = false;
    QList<ClockPause> pauses; // the last may still be open
    bool extended = false;
    QString extensionReason;
    QDate extensionNoticeOn;
    Deadline deadline; // as computed at the last change
    QDateTime createdAt;
    QDateTime updatedAt;
    QDateTime stateEnteredAt; // when it entered its current state: timers count from it
    QDateTime purgedAt; // retention removed its personal data; the statistics remain
    QList<Note> notes;
    QList<Attachment> attachments;

    // The person the data is about: the subject when someone acts for them.
    [[nodiscard]] const Person &dataSubject() const { return actingForSubject ? subject : requester; }
};

} // namespace rf
