// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Shared fixtures for the engine suites: a real register (SQLite, or
// PostgreSQL when ctest runs the suite's postgres variant), a fixed clock,
// the shipped workflows and an Engine.

#include "ScratchRegister.h"
#include "Staff.h"
#include "core/Clock.h"
#include "store/Register.h"
#include "store/SqlStore.h"
#include "workflow/Engine.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <memory>

namespace rf::test {

// The directory holding the shipped workflow files (the source tree's, so a
// test sees exactly what is committed).
inline QString shippedWorkflowsDir()
{
    return QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/workflows");
}

struct Fixture {
    ScratchRegister scratch;
    std::unique_ptr<FixedClock> clock;
    std::unique_ptr<SqlStore> store;
    WorkflowLibrary library;
    std::unique_ptr<Engine> engine;

    ~Fixture()
    {
        // Connections close before the scratch database is dropped.
        engine.reset();
        store.reset();
    }

    [[nodiscard]] const QString &location() const { return scratch.location(); }
    [[nodiscard]] SqlDialect dialect() const { return scratch.dialect(); }
    // Another connection to the same register, as a second program would have.
    [[nodiscard]] std::unique_ptr<SqlStore> openAnother() const
    {
        auto other = std::make_unique<SqlStore>(dialect(), location());
        if (Status s = other->open(); !s) {
            qWarning() << s.error().fullText();
            return {};
        }
        return other;
    }

    // Opens a fresh rehearsal register with users alice (officer), bilal
    // (officer), dana (dpo) and root (admin), at 2026-03-02 09:00 UTC unless
    // told otherwise.
    bool setUp(const QString &workflowsDir = shippedWorkflowsDir(),
        const QDateTime &now = QDateTime(QDate(2026, 3, 2), QTime(9, 0), QTimeZone::utc()))
    {
        if (!scratch.create())
            return false;
        clock = std::make_unique<FixedClock>(now);
        store = std::make_unique<SqlStore>(dialect(), location(), SqlStore::Options {true});
        if (Status s = store->open(); !s) {
            qWarning() << s.error().fullText();
            return false;
        }
        // The fixed clock is a moved clock: only a rehearsal register takes it.
        if (Status s = store->makeRehearsal(); !s) {
            qWarning() << s.error().fullText();
            return false;
        }
        Result<WorkflowLibrary> loaded = WorkflowLibrary::load(workflowsDir);
        if (!loaded) {
            qWarning() << loaded.error().fullText();
            return false;
        }
        library = std::move(loaded).value();
        engine = std::make_unique<Engine>(*store, library, *clock);
        if (Status s = addStaff(*engine); !s) {
            qWarning() << s.error().fullText();
            return false;
        }
        return true;
    }
};

// A valid intake form for `right`, received an hour before the fixture's clock.
inline IntakeForm sampleForm(const QString &right, const QString &assignee = QStringLiteral("alice"))
{
    IntakeForm form;
    form.right = right;
    form.channel = QStringLiteral("email");
    form.requester
        = Person {QStringLiteral("Margaret Ellis"), QStringLiteral("m.ellis@example.org"), {}, {}, QStringLiteral("L20 7AB")};
    form.scope = QStringLiteral("Everything the council holds about me");
    form.assignee = assignee;
    form.received = QDateTime(QDate(2026, 3, 2), QTime(8, 0), QTimeZone::utc());
    return form;
}

// The shipped bank holidays file with one more England and Wales holiday,
// as a newer GOV.UK file announcing a proclaimed day would be.
inline QByteArray shippedCalendarWith(const QString &date, const QString &title)
{
    QFile shipped(QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/resources/calendars/uk-bank-holidays.json"));
    if (!shipped.open(QIODevice::ReadOnly))
        return {};
    QJsonObject root = QJsonDocument::fromJson(shipped.readAll()).object();
    QJsonObject england = root.value(QStringLiteral("england-and-wales")).toObject();
    QJsonArray events = england.value(QStringLiteral("events")).toArray();
    events.append(QJsonObject {{QStringLiteral("title"), title}, {QStringLiteral("date"), date},
        {QStringLiteral("notes"), QString()}, {QStringLiteral("bunting"), true}});
    england.insert(QStringLiteral("events"), events);
    root.insert(QStringLiteral("england-and-wales"), england);
    return QJsonDocument(root).toJson();
}

} // namespace rf::test
