// SPDX-License-Identifier: GPL-3.0-or-later
//
// bench_deadline: how fast statutory deadlines are computed. The DPO's
// dashboard recomputes the due date and status of every open request on each
// view, so DeadlineCalculator::compute (without its explanation) and
// deadlineStatus must be cheap. It times both over every start date from 2018
// to 2030 in the three UK regions, with a mix of identity evidence, pauses
// and extensions, and the explaining path beside them for comparison. It
// prints each figure beside its target and asserts nothing (STYLE.md, habit
// 12): timings depend on the machine, so a reader judges them.

#include "BenchSupport.h"
#include "calendar/DeadlineCalculator.h"
#include "calendar/DeadlineRules.h"
#include "calendar/WorkingCalendar.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QTextStream>
#include <QThread>

#include <functional>
#include <vector>

using namespace rf;
using namespace rf::bench;

namespace {

constexpr double kTargetPerSecond = 1'000'000.0;

QString targetNote(double perSecond)
{
    return QStringLiteral("(target: over 1,000,000 per second)")
        + (perSecond <= kTargetPerSecond ? QStringLiteral("  UNDER TARGET") : QString());
}

// One request's deadline question: its rules, its region's calendar, its dates.
struct Job {
    const DeadlineRuleSet *rules = nullptr;
    const WorkingCalendar *calendar = nullptr;
    DeadlineInput input;
};

struct Mix {
    qsizetype jobs = 0;
    qsizetype identityLater = 0;
    qsizetype paused = 0;
    qsizetype openPause = 0;
    qsizetype extended = 0;
};

// Every start date 2018-2030 in each region, with a repeatable mix of the
// things that move a deadline.
std::vector<Job> makeJobs(const QList<WorkingCalendar> &calendars, Mix &mix)
{
    const DeadlineRuleBook &book = DeadlineRuleBook::shipped();
    const DeadlineRuleSet *before = book.byId(QStringLiteral("uk-gdpr-2018"));
    std::vector<Job> jobs;
    int i = 0;
    for (const WorkingCalendar &calendar : calendars) {
        for (QDate day(2018, 1, 1); day <= QDate(2030, 12, 31); day = day.addDays(1), ++i) {
            Job job;
            const DeadlineRuleSet *inForce = book.inForce(QStringLiteral("uk"), day);
            job.rules = inForce ? inForce : before;
            job.calendar = &calendar;
            job.input.received = day;
            if (i % 10 == 0) {
                job.input.identityReceived = day.addDays(2 + i % 5);
                ++mix.identityLater;
            }
            if (i % 3 == 0) {
                job.input.pauses << ClockPause {day.addDays(3), day.addDays(3 + i % 9)};
                if (i % 6 == 0)
                    job.input.pauses << ClockPause {day.addDays(8), day.addDays(12)}; // overlaps now and then
                ++mix.paused;
            }
            if (i % 17 == 0) {
                job.input.pauses << ClockPause {day.addDays(15), QDate()};
                job.input.asOf = day.addDays(20);
                ++mix.openPause;
            }
            if (i % 4 == 0) {
                job.input.extended = true;
                ++mix.extended;
            }
            jobs.push_back(job);
        }
    }
    mix.jobs = qsizetype(jobs.size());
    return jobs;
}

struct Timing {
    double perSecond = 0;
    qint64 operations = 0;
    double seconds = 0;
};

// Runs `round` (which does `perRound` operations) until `seconds` have passed.
Timing timeRounds(double seconds, qint64 perRound, const std::function<void()> &round)
{
    round(); // warm-up, not counted
    QElapsedTimer timer;
    timer.start();
    Timing timing;
    do {
        round();
        timing.operations += perRound;
    } while (double(timer.nsecsElapsed()) < seconds * 1e9);
    timing.seconds = double(timer.nsecsElapsed()) / 1e9;
    timing.perSecond = double(timing.operations) / timing.seconds;
    return timing;
}

QString percent(qsizetype part, qsizetype whole)
{
    return fixed(100.0 * double(part) / double(qMax<qsizetype>(1, whole)));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_deadline"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Times DeadlineCalculator::compute (with and without its explanation) and deadlineStatus over every start date "
        "2018-2030 in the three UK regions. Prints figures beside their targets; asserts nothing."));
    parser.addHelpOption();
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
        QStringLiteral("Seconds to spend on each figure (default 1.5)."), QStringLiteral("S"), QStringLiteral("1.5"));
    parser.addOption(secondsOption);
    parser.process(app);
    bool secondsOk = false;
    const double seconds = parser.value(secondsOption).toDouble(&secondsOk);
    if (!secondsOk || seconds <= 0 || seconds > 600) {
        err() << QStringLiteral("bench_deadline: --seconds takes a number from 0 to 600") << Qt::endl;
        return 2;
    }

    QList<WorkingCalendar> calendars;
    for (const QString &region : BankHolidays::kRegions) {
        Result<WorkingCalendar> calendar = BankHolidays::shipped().region(region);
        if (!calendar) {
            err() << QStringLiteral("bench_deadline: ") << calendar.error().fullText() << Qt::endl;
            return 1;
        }
        calendars << *calendar;
    }

    heading(QStringLiteral("== machine =="));
    figure(QStringLiteral("CPU"), cpuModel());
    figure(QStringLiteral("cores (logical)"), QString::number(QThread::idealThreadCount()));
    figure(QStringLiteral("Qt version"), QString::fromLatin1(qVersion()));
    figure(QStringLiteral("compiler"), compilerName());
    const QString buildType = QStringLiteral(RIGHTSFLOW_BUILD_TYPE);
    figure(QStringLiteral("build type"), buildType.isEmpty() ? QStringLiteral("(none set)") : buildType);

    Mix mix;
    const std::vector<Job> jobs = makeJobs(calendars, mix);
    const auto perRound = qint64(jobs.size());
    heading(QStringLiteral("== deadlines: every start date 2018-2030 x %1 regions, single thread, about %2 s a figure ==")
                .arg(calendars.size())
                .arg(seconds, 0, 'f', 1));
    figure(QStringLiteral("setup: deadlines per round"), QString::number(mix.jobs));
    figure(QStringLiteral("setup: identity evidence after receipt, %"), percent(mix.identityLater, mix.jobs));
    figure(QStringLiteral("setup: with clarification pauses, %"), percent(mix.paused, mix.jobs));
    figure(QStringLiteral("setup: with a pause still open, %"), percent(mix.openPause, mix.jobs));
    figure(QStringLiteral("setup: extended, %"), percent(mix.extended, mix.jobs));

    // Every result feeds a checksum that is printed, so the optimiser cannot
    // drop the work.
    qint64 checksum = 0;

    const Timing dashboard = timeRounds(seconds, perRound, [&] {
        for (const Job &job : jobs) {
            const Deadline deadline = DeadlineCalculator::compute(*job.rules, *job.calendar, job.input, false);
            checksum += deadline.due.toJulianDay() + deadline.pausedDays;
        }
    });
    figure(QStringLiteral("due dates/s, dashboard path (no explanation)"), fixed(dashboard.perSecond, 0),
        targetNote(dashboard.perSecond));
    figure(QStringLiteral("    mean ns per due date"), fixed(1e9 / dashboard.perSecond, 0));

    const Timing explained = timeRounds(seconds, perRound, [&] {
        for (const Job &job : jobs) {
            const Deadline deadline = DeadlineCalculator::compute(*job.rules, *job.calendar, job.input, true);
            checksum += deadline.due.toJulianDay() + deadline.explanation.size() + deadline.explanation.constLast().size();
        }
    });
    figure(QStringLiteral("due dates/s, with explanation"), fixed(explained.perSecond, 0));
    figure(QStringLiteral("    mean ns per due date"), fixed(1e9 / explained.perSecond, 0));
    figure(QStringLiteral("    explanation cost = dashboard rate / explained rate"),
        fixed(dashboard.perSecond / qMax(1.0, explained.perSecond), 1) + QLatin1Char('x'));

    // The dashboard's status column: each deadline seen on a day from its
    // start to a fortnight past its due date, one in nine already closed.
    struct StatusJob {
        Deadline deadline;
        const WorkingCalendar *calendar = nullptr;
        QDate today;
        QDate closedOn;
    };
    std::vector<StatusJob> statusJobs;
    statusJobs.reserve(jobs.size());
    for (size_t i = 0; i < jobs.size(); ++i) {
        const Job &job = jobs[i];
        StatusJob s;
        s.deadline = DeadlineCalculator::compute(*job.rules, *job.calendar, job.input, false);
        s.calendar = job.calendar;
        const qint64 span = s.deadline.start.daysTo(s.deadline.due) + 14;
        s.today = s.deadline.start.addDays(qint64(i * 7919) % span);
        if (i % 9 == 0)
            s.closedOn = s.today;
        statusJobs.push_back(s);
    }
    QHash<int, qint64> states;
    for (const StatusJob &s : statusJobs)
        ++states[int(deadlineStatus(s.deadline, *s.calendar, s.today, s.closedOn).state)];
    const Timing status = timeRounds(seconds, perRound, [&] {
        for (const StatusJob &s : statusJobs) {
            const DeadlineStatus st = deadlineStatus(s.deadline, *s.calendar, s.today, s.closedOn);
            checksum += int(st.state) + st.workingDaysLeft;
        }
    });
    figure(QStringLiteral("deadlineStatus evaluations/s"), fixed(status.perSecond, 0), targetNote(status.perSecond));
    figure(QStringLiteral("    mean ns per evaluation"), fixed(1e9 / status.perSecond, 0));
    QStringList spread;
    for (DeadlineState state : {DeadlineState::OnTrack, DeadlineState::DueSoon, DeadlineState::DueToday, DeadlineState::Overdue,
             DeadlineState::Paused, DeadlineState::ClosedOnTime, DeadlineState::ClosedLate})
        spread << QStringLiteral("%1 %2%").arg(toString(state), percent(states.value(int(state)), qsizetype(statusJobs.size())));
    figure(QStringLiteral("    states seen"), spread.join(QStringLiteral(", ")));

    heading(QStringLiteral("== totals =="));
    figure(QStringLiteral("operations timed"), QString::number(dashboard.operations + explained.operations + status.operations));
    figure(QStringLiteral("checksum (keeps the work from being optimised away)"), QString::number(checksum));
    return 0;
}
