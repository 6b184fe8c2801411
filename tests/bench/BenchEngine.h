// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// What the benchmarks that prepare a case file or a queue start from: a
// fresh SQLite register with the shipped workflows and the IG team of the
// suites (Staff.h) at a fixed moment, the example processing register, and
// the units they print in.

#include "Staff.h"
#include "core/Clock.h"
#include "store/SqlStore.h"
#include "workflow/Engine.h"
#include "workflow/WorkflowLoader.h"

#include "core/InputLimits.h"

#include <QElapsedTimer>

#include <memory>

namespace rf::test {

// kMiB is the engine's own (core/InputLimits.h).
inline double mb(qint64 bytes)
{
    return double(bytes) / double(kMiB);
}

inline double secondsSince(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e9;
}

inline QString processingRegisterFile()
{
    return QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/resources/processing-register.example.json");
}

struct ScratchEngine {
    SqlStore store;
    WorkflowLibrary library;
    FixedClock clock;
    std::unique_ptr<Engine> engine;

    ScratchEngine(const QString &registerFile, const QDateTime &now)
        : store(SqlDialect::Sqlite, registerFile, SqlStore::Options {true})
        , clock(now)
    { }

    [[nodiscard]] Status open()
    {
        if (Status s = store.open(); !s)
            return s;
        // Its fixed clock is a moved clock, which only a rehearsal register takes.
        if (Status s = store.makeRehearsal(); !s)
            return s;
        Result<WorkflowLibrary> loaded = WorkflowLibrary::load(QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/workflows"));
        if (!loaded)
            return loaded.error();
        library = std::move(loaded).value();
        engine = std::make_unique<Engine>(store, library, clock);
        return addStaff(*engine);
    }
};

} // namespace rf::test
