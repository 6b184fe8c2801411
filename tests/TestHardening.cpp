// SPDX-License-Identifier: GPL-3.0-or-later
// What a careless or hostile user can no longer do to a register: move a
// live register's clock, date events before their predecessors, type dates from another
// millennium, pass for the system or for another user by a change of case;
// and a register on a read-only disk can still be read. Run on SQLite and on
// PostgreSQL, through the engine and through the real program.

#include "CliRunner.h"
#include "TestSupport.h"
#include "audit/AuditEvent.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace rf;
using namespace Qt::StringLiterals;

namespace {

const QString kNow = u"2026-03-02T09:00:00Z"_s;

QStringList withDb(const QStringList &args, const QString &db)
{
    return args + QStringList {u"--db"_s, db};
}

test::ProcessRun cli(const QStringList &args, const QString &db, const QString &now = QString())
{
    QMap<QString, QString> env;
    if (!now.isEmpty())
        env.insert(u"RIGHTSFLOW_NOW"_s, now);
    return test::runCli(withDb(args, db), env);
}

qint64 eventsIn(const QString &db)
{
    const test::ProcessRun run = cli({u"audit"_s, u"verify"_s, u"--json"_s}, db);
    return QJsonDocument::fromJson(run.out.toUtf8()).object().value(u"eventsChecked"_s).toInteger(-1);
}

// Runs one statement on the register behind the store's back, as someone
// with direct database access would.
bool rawExec(const QString &location, SqlDialect dialect, const QString &statement, QString *error = nullptr)
{
    QString ignored;
    return test::execDirect(location, dialect, statement, error ? error : &ignored);
}

// The system clock of a machine that runs fast: real time, `secs` ahead,
// and not a moved clock (no rehearsal register is needed for it).
class FastSystemClock final : public Clock
{
public:
    explicit FastSystemClock(qint64 secs)
        : m_secs(secs)
    { }
    [[nodiscard]] QDateTime now() const override { return QDateTime::currentDateTimeUtc().addSecs(m_secs); }
    [[nodiscard]] bool isMoved() const override { return false; }

private:
    qint64 m_secs;
};

// A live register (not a rehearsal one) with the IG team, on the real clock.
struct LiveRegister {
    test::ScratchRegister scratch;
    SystemClock clock;
    std::unique_ptr<SqlStore> store;
    WorkflowLibrary library;
    std::unique_ptr<Engine> engine;

    ~LiveRegister()
    {
        engine.reset();
        store.reset();
    }

    bool setUp()
    {
        if (!scratch.create())
            return false;
        store = std::make_unique<SqlStore>(scratch.dialect(), scratch.location(), SqlStore::Options {true});
        Result<WorkflowLibrary> loaded = WorkflowLibrary::load(test::shippedWorkflowsDir());
        if (!store->open().ok() || !loaded.ok())
            return false;
        library = std::move(loaded).value();
        engine = std::make_unique<Engine>(*store, library, clock);
        return test::addStaff(*engine).ok();
    }

    // Dates the register's last event at `at`, as a clock ahead of ours would have.
    bool moveHead(const QDateTime &at)
    {
        return rawExec(scratch.location(), scratch.dialect(), u"UPDATE audit_head SET at = '%1'"_s.arg(isoUtc(at)));
    }

    // Appends, behind the store's back and with the chain computed correctly,
    // a note after `last` dated `at`.
    bool appendForged(const AuditEvent &last, const QDateTime &at, QString *error)
    {
        AuditEvent forged;
        forged.reference = last.reference;
        forged.at = at;
        forged.actor = u"alice"_s;
        forged.action = u"note"_s;
        forged.note = u"backdated"_s;
        forged.requestVersion = last.requestVersion;
        AuditChain::seal(forged, last.seq + 1, last.hash);
        return rawExec(scratch.location(), scratch.dialect(),
                   u"INSERT INTO audit_events (seq, reference, at, actor, action, from_state, to_state, payload, payload_hash, "
                   "prev_hash, hash, request_version) VALUES (%1, '%2', '%3', 'alice', 'note', '', '', '%4', '%5', '%6', '%7', %8)"_s
                       .arg(forged.seq)
                       .arg(forged.reference, isoUtc(forged.at),
                           QString::fromUtf8(AuditChain::canonicalPayload(forged.inputs, forged.note)), forged.payloadHash,
                           forged.prevHash, forged.hash)
                       .arg(forged.requestVersion),
                   error)
            && rawExec(scratch.location(), scratch.dialect(),
                u"UPDATE audit_head SET seq = %1, hash = '%2', at = '%3'"_s.arg(forged.seq).arg(forged.hash, isoUtc(forged.at)),
                error);
    }
};

} // namespace

class TestHardening : public QObject
{
    Q_OBJECT

private slots:
    // A moved clock on a live register: refused by the engine for every
    // change, and by the program for every command, reading ones included.
    void movedClockIsRefusedOnALiveRegister()
    {
        test::ScratchRegister scratch;
        QVERIFY(scratch.create());
        const QString db = scratch.location();
        VERIFY_EXIT(cli({u"init"_s}, db), 0);
        VERIFY_EXIT(cli({u"user"_s, u"add"_s, u"root"_s, u"--role"_s, u"admin"_s}, db), 0);
        VERIFY_EXIT(cli({u"user"_s, u"add"_s, u"alice"_s, u"--role"_s, u"officer"_s, u"--as"_s, u"root"_s}, db), 0);
        const qint64 before = eventsIn(db);
        QCOMPARE(before, 2);

        for (const QStringList &command : {QStringList {u"worker"_s, u"--once"_s}, QStringList {u"request"_s, u"list"_s},
                 QStringList {u"user"_s, u"add"_s, u"bilal"_s, u"--role"_s, u"officer"_s, u"--as"_s, u"root"_s},
                 QStringList {u"request"_s, u"new"_s, u"--right"_s, u"access"_s, u"--channel"_s, u"email"_s, u"--name"_s,
                     u"Margaret Ellis"_s, u"--email"_s, u"m.ellis@example.org"_s, u"--received"_s, u"9999-01-01"_s}}) {
            const test::ProcessRun run = cli(command, db, u"2031-01-01T09:00:00Z"_s);
            VERIFY_EXIT(run, 4);
            QVERIFY2(run.err.contains(u"not a rehearsal register"_s), qPrintable(run.describe()));
            QVERIFY2(run.err.contains(u"init --rehearsal"_s), qPrintable(run.describe()));
        }
        QCOMPARE(eventsIn(db), before);

        // The engine refuses a moved clock itself, whichever face holds it.
        SqlStore store(scratch.dialect(), db);
        QVERIFY(store.open().ok());
        Result<WorkflowLibrary> library = WorkflowLibrary::load(test::shippedWorkflowsDir());
        QVERIFY(library.ok());
        FixedClock moved(QDateTime(QDate(2031, 1, 1), QTime(9, 0), QTimeZone::utc()));
        Engine engine(store, *library, moved);
        Result<FiledRequest> filed = engine.fileRequest(test::sampleForm(u"access"_s), u"alice"_s);
        QVERIFY(!filed);
        QCOMPARE(filed.error().code, ErrorCode::Refused);
        Result<TimerSweep> sweep = engine.runDueTimers();
        QVERIFY(!sweep);
        QCOMPARE(sweep.error().code, ErrorCode::Refused);
        QVERIFY(!engine.purgeExpired().ok());
        QVERIFY(!engine.addUser(u"carol"_s, u"officer"_s, {}, u"root"_s).ok());
        QVERIFY(!engine.setRegion(u"scotland"_s, u"root"_s).ok());
        QVERIFY(!engine.setRetentionMonths(72, u"root"_s).ok());
        QVERIFY(!engine.retryMessage(1, u"alice"_s).ok());
        // A request filed on the real time, then acted on with the moved clock.
        SystemClock real;
        Engine honest(store, *library, real);
        Result<FiledRequest> filedHonestly = honest.fileRequest(test::sampleForm(u"access"_s), u"alice"_s);
        QVERIFY(filedHonestly.ok());
        const QString reference = filedHonestly->request.reference;
        const qint64 withRequest = eventsIn(db);
        Result<FireOutcome> fired = engine.fire(reference, u"acknowledge"_s, u"alice"_s, {}, QString());
        QVERIFY(!fired);
        QCOMPARE(fired.error().code, ErrorCode::Refused);
        QVERIFY(!engine.addNote(reference, u"alice"_s, u"a note"_s).ok());
        QVERIFY(!engine.attach(reference, u"alice"_s, u"letter.pdf"_s, QByteArrayLiteral("%PDF-1.4")).ok());
        QCOMPARE(eventsIn(db), withRequest);

        // A live register never becomes a rehearsal one.
        const test::ProcessRun convert = cli({u"init"_s, u"--rehearsal"_s}, db);
        VERIFY_EXIT(convert, 4);
        QVERIFY2(convert.err.contains(u"only a new register"_s), qPrintable(convert.describe()));
        Result<bool> rehearsal = store.isRehearsal();
        QVERIFY(rehearsal.ok() && !*rehearsal);
    }

    // A rehearsal register takes a moved clock, and says what it is.
    void rehearsalRegisterTakesAMovedClockAndSaysSo()
    {
        test::ScratchRegister scratch;
        QVERIFY(scratch.create());
        const QString db = scratch.location();
        const test::ProcessRun init = cli({u"init"_s, u"--rehearsal"_s}, db, kNow);
        VERIFY_EXIT(init, 0);
        QVERIFY2(init.out.contains(u"Rehearsal register ready"_s), qPrintable(init.describe()));
        VERIFY_EXIT(cli({u"user"_s, u"add"_s, u"root"_s, u"--role"_s, u"admin"_s}, db, kNow), 0);
        VERIFY_EXIT(cli({u"user"_s, u"add"_s, u"alice"_s, u"--role"_s, u"officer"_s, u"--as"_s, u"root"_s}, db, kNow), 0);
        const test::ProcessRun filed = cli({u"request"_s, u"new"_s, u"--right"_s, u"access"_s, u"--channel"_s, u"email"_s,
                                               u"--name"_s, u"Margaret Ellis"_s, u"--email"_s, u"m.ellis@example.org"_s},
            db, kNow);
        VERIFY_EXIT(filed, 0);
        const QString reference = filed.out.trimmed();

        QJsonObject shown;
        CHECKED(test::requestFromShow(cli({u"request"_s, u"show"_s, reference, u"--json"_s}, db, kNow), &shown));
        QCOMPARE(shown.value(u"rehearsal"_s).toBool(), true);
        const test::ProcessRun text = cli({u"request"_s, u"show"_s, reference}, db, kNow);
        VERIFY_EXIT(text, 0);
        QVERIFY2(text.out.contains(u"REHEARSAL REGISTER"_s), qPrintable(text.describe()));
        const test::ProcessRun verified = cli({u"audit"_s, u"verify"_s}, db, kNow);
        VERIFY_EXIT(verified, 0);
        QVERIFY2(verified.out.contains(u"REHEARSAL"_s), qPrintable(verified.describe()));
        const test::ProcessRun json = cli({u"audit"_s, u"verify"_s, u"--json"_s}, db, kNow);
        QCOMPARE(QJsonDocument::fromJson(json.out.toUtf8()).object().value(u"rehearsal"_s).toBool(), true);

        // A live register says nothing of the kind.
        test::ScratchRegister live;
        QVERIFY(live.create());
        VERIFY_EXIT(cli({u"init"_s}, live.location()), 0);
        const test::ProcessRun liveJson = cli({u"audit"_s, u"verify"_s, u"--json"_s}, live.location());
        QCOMPARE(QJsonDocument::fromJson(liveJson.out.toUtf8()).object().value(u"rehearsal"_s).toBool(true), false);
    }

    // Dates people type are refused outside 2000-2100, with what was wrong.
    void implausibleDatesAreRefused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("now");
        QTest::addColumn<QString>("message");
        QTest::addRow("a pause ending in 9999")
            << QStringList {u"deadline"_s, u"--start"_s, u"2026-03-02"_s, u"--pause"_s, u"2026-03-03..9999-01-01"_s} << QString()
            << u"outside the dates Rightsflow accepts"_s;
        QTest::addRow("a pause starting in 1900")
            << QStringList {u"deadline"_s, u"--start"_s, u"2026-03-02"_s, u"--pause"_s, u"1900-01-01..2026-03-09"_s} << QString()
            << u"outside the dates Rightsflow accepts"_s;
        QTest::addRow("a start in 2150") << QStringList {u"deadline"_s, u"--start"_s, u"2150-01-01"_s} << QString()
                                         << u"outside the dates Rightsflow accepts"_s;
        QTest::addRow("a what-if today in 1999") << QStringList {u"deadline"_s, u"--start"_s, u"2026-03-02"_s, u"--today"_s,
            u"1999-12-31"_s} << QString() << u"outside the dates Rightsflow accepts"_s;
        QTest::addRow("a clock in 9999") << QStringList {u"deadline"_s, u"--start"_s, u"2026-03-02"_s}
                                         << u"9999-01-01T00:00:00Z"_s << u"RIGHTSFLOW_NOW"_s;
    }
    void implausibleDatesAreRefused()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, now);
        QFETCH(QString, message);
        QMap<QString, QString> env;
        if (!now.isEmpty())
            env.insert(u"RIGHTSFLOW_NOW"_s, now);
        const test::ProcessRun run = test::runCli(args, env);
        VERIFY_EXIT(run, 2);
        QVERIFY2(run.err.contains(message), qPrintable(run.describe()));
        QVERIFY2(run.out.isEmpty(), qPrintable(run.describe()));
    }

    // An action input of type date is checked by the engine for every face.
    void implausibleActionDateIsRefusedByTheEngine()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        Result<FiledRequest> filed = fx.engine->fileRequest(test::sampleForm(u"access"_s), u"alice"_s);
        QVERIFY(filed.ok());
        const QString reference = filed->request.reference;
        QVERIFY(fx.engine->fire(reference, u"acknowledge"_s, u"alice"_s, {}, QString()).ok());
        Result<QList<AuditEvent>> before = fx.store->auditEvents(reference);
        QVERIFY(before.ok());
        // Every date input of every action offered now (checking: a
        // clarification asked, authority received) must refuse 9999.
        Result<Request> request = fx.engine->request(reference);
        QVERIFY(request.ok());
        Result<QList<ActionOffer>> offers = fx.engine->actions(*request, u"alice"_s);
        QVERIFY(offers.ok());
        int checked = 0;
        for (const ActionOffer &offer : *offers) {
            for (const InputDef &input : offer.inputs) {
                if (input.type != u"date"_s)
                    continue;
                QMap<QString, QString> inputs {{input.name, u"9999-12-31"_s}};
                for (const InputDef &other : offer.inputs) {
                    if (other.name != input.name && other.required)
                        inputs.insert(other.name, u"given"_s);
                }
                Result<FireOutcome> fired = fx.engine->fire(reference, offer.name, u"alice"_s, inputs, QString());
                QVERIFY(!fired);
                QCOMPARE(fired.error().code, ErrorCode::Invalid);
                QVERIFY2(fired.error().fullText().contains(u"outside the dates Rightsflow accepts"_s),
                    qPrintable(fired.error().fullText()));
                ++checked;
            }
        }
        QVERIFY2(checked > 0, "no action offered on a new access request takes a date");
        QCOMPARE(fx.store->auditEvents(reference)->size(), before->size());
    }

    // Events run forwards in time on a live register: a little behind
    // (writers queueing, two machines' clocks) takes the last event's time;
    // further behind is refused. The real clock cannot be moved back, so the
    // last event is made to lie ahead of it.
    void eventsAreNeverDatedBeforeTheirPredecessors()
    {
        LiveRegister live;
        QVERIFY(live.setUp());
        Result<FiledRequest> filed = live.engine->fileRequest(test::sampleForm(u"access"_s), u"alice"_s);
        QVERIFY2(filed.ok(), filed ? "" : qPrintable(filed.error().fullText()));
        const QString reference = filed->request.reference;

        const QDateTime ahead = QDateTime::currentDateTimeUtc().addSecs(60);
        QVERIFY(live.moveHead(ahead));
        QVERIFY(live.engine->addNote(reference, u"alice"_s, u"a minute behind"_s).ok());
        QCOMPARE(live.store->auditEvents(reference)->constLast().at, ahead);

        QVERIFY(live.moveHead(QDateTime::currentDateTimeUtc().addDays(3)));
        const qsizetype count = live.store->auditEvents(reference)->size();
        const Status refused = live.engine->addNote(reference, u"alice"_s, u"three days behind"_s);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::Refused);
        QVERIFY2(refused.error().message.contains(u"before the register's last event"_s), qPrintable(refused.error().message));
        QVERIFY2(refused.error().message.contains(u"clock of this computer is behind"_s), qPrintable(refused.error().message));
        QCOMPARE(live.store->auditEvents(reference)->size(), count);
    }

    // A machine whose system clock runs fast cannot push the trail's time
    // ahead of the register's own clock, which would lock out every honest
    // writer after it.
    void eventsAreNeverDatedAheadOfTheRegistersClock()
    {
        LiveRegister live;
        QVERIFY(live.setUp());
        Result<FiledRequest> filed = live.engine->fileRequest(test::sampleForm(u"access"_s), u"alice"_s);
        QVERIFY(filed.ok());
        const QString reference = filed->request.reference;
        const qsizetype count = live.store->auditEvents(reference)->size();
        FastSystemClock fast(3600);
        Engine ahead(*live.store, live.library, fast);
        const Status refused = ahead.addNote(reference, u"alice"_s, u"an hour ahead"_s);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::Refused);
        QVERIFY2(refused.error().message.contains(u"clock of this computer is ahead"_s), qPrintable(refused.error().message));
        QCOMPARE(live.store->auditEvents(reference)->size(), count);
        // A few seconds ahead is within the skew the register allows.
        FastSystemClock close(5);
        Engine nearly(*live.store, live.library, close);
        QVERIFY(nearly.addNote(reference, u"alice"_s, u"five seconds ahead"_s).ok());
        QVERIFY(live.engine->addNote(reference, u"alice"_s, u"the real time"_s).ok());
    }

    // An event already in the trail that is dated well before the one it
    // follows (properly chained, as a clock set back used to make it) is
    // reported by audit verify on a live register; a rehearsal register's
    // clock is moved at will, so its dates are not checked.
    void auditVerifyReportsAnEventOutOfOrder()
    {
        LiveRegister live;
        QVERIFY(live.setUp());
        Result<FiledRequest> filed = live.engine->fileRequest(test::sampleForm(u"access"_s), u"alice"_s);
        QVERIFY(filed.ok());
        QVERIFY(live.store->verifyAudit()->intact);
        const AuditEvent last = live.store->auditEvents(filed->request.reference)->constLast();
        QString error;
        QVERIFY2(live.appendForged(last, last.at.addYears(-5), &error), qPrintable(error));
        Result<AuditVerification> verified = live.store->verifyAudit();
        QVERIFY(verified.ok());
        QVERIFY2(!verified->intact, "an event dated five years before its predecessor verified");
        QCOMPARE(verified->firstBadSeq, last.seq + 1);
        QVERIFY2(verified->problem.contains(u"before the event it follows"_s), qPrintable(verified->problem));
        QVERIFY(!verified->rehearsal);

        // The same on a rehearsal register, whose clock may go back: intact, and said to be a rehearsal.
        test::Fixture fx;
        QVERIFY(fx.setUp());
        Result<FiledRequest> rehearsed = fx.engine->fileRequest(test::sampleForm(u"access"_s), u"alice"_s);
        QVERIFY(rehearsed.ok());
        fx.clock->set(fx.clock->now().addYears(-5));
        QVERIFY(fx.engine->addNote(rehearsed->request.reference, u"alice"_s, u"five years back"_s).ok());
        Result<AuditVerification> rehearsal = fx.store->verifyAudit();
        QVERIFY(rehearsal.ok());
        QVERIFY(rehearsal->intact);
        QVERIFY(rehearsal->rehearsal);
    }

    // Nobody may be named like the system, nor like another user but for case.
    void userNamesCannotPassForSomeoneElse_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::addRow("worker") << u"worker"_s << int(ErrorCode::Invalid) << u"records for itself"_s;
        QTest::addRow("Intake") << u"Intake"_s << int(ErrorCode::Invalid) << u"records for itself"_s;
        QTest::addRow("SETUP") << u"SETUP"_s << int(ErrorCode::Invalid) << u"records for itself"_s;
        QTest::addRow("system") << u"system"_s << int(ErrorCode::Invalid) << u"records for itself"_s;
        QTest::addRow("Dana beside dana") << u"Dana"_s << int(ErrorCode::Conflict) << u"ignoring case"_s;
        QTest::addRow("ALICE beside alice") << u"ALICE"_s << int(ErrorCode::Conflict) << u"ignoring case"_s;
    }
    void userNamesCannotPassForSomeoneElse()
    {
        QFETCH(QString, name);
        QFETCH(int, code);
        QFETCH(QString, message);
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const qsizetype users = fx.store->users()->size();
        Result<User> added = fx.engine->addUser(name, u"officer"_s, {}, u"root"_s);
        QVERIFY2(!added, qPrintable(name + u" was added"_s));
        QCOMPARE(int(added.error().code), code);
        QVERIFY2(added.error().fullText().contains(message), qPrintable(added.error().fullText()));
        QCOMPARE(fx.store->users()->size(), users);
    }

    // The register itself holds the rule, against a program that skips the engine.
    void theRegisterHoldsUserNamesUniqueIgnoringCase()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        QString error;
        QVERIFY2(
            !rawExec(fx.location(), fx.dialect(),
                u"INSERT INTO users (name, role, email, active, created_at) VALUES ('DANA', 'officer', '', 1, '%1')"_s.arg(kNow),
                &error),
            "a second 'dana' in another case was stored");
        QVERIFY2(error.contains(u"unique"_s, Qt::CaseInsensitive), qPrintable(error));
    }

    // A SQLite register on a read-only mount can be read; changing it fails
    // with a message that says why, and changes nothing.
    void readOnlyRegisterCanBeRead()
    {
        if (test::onPostgres())
            QSKIP("a read-only disk is a SQLite register's matter; a PostgreSQL login without write grants is issue 12's");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString db = dir.filePath(u"register.sqlite"_s);
        VERIFY_EXIT(cli({u"init"_s}, db), 0);
        VERIFY_EXIT(cli({u"user"_s, u"add"_s, u"root"_s, u"--role"_s, u"admin"_s}, db), 0);
        VERIFY_EXIT(cli({u"user"_s, u"add"_s, u"alice"_s, u"--role"_s, u"officer"_s, u"--as"_s, u"root"_s}, db), 0);
        const test::ProcessRun filed = cli({u"request"_s, u"new"_s, u"--right"_s, u"access"_s, u"--channel"_s, u"email"_s,
                                               u"--name"_s, u"Margaret Ellis"_s, u"--email"_s, u"m.ellis@example.org"_s},
            db);
        VERIFY_EXIT(filed, 0);
        const QString reference = filed.out.trimmed();
        QVERIFY(!QFileInfo::exists(db + u"-wal"_s)); // closed cleanly: checkpointed
        const qint64 events = eventsIn(db);
        QVERIFY(events > 0);

        // The folder bind-mounted read-only in a mount namespace of its own,
        // as a register on a read-only disk is.
        auto readOnly = [&](const QStringList &args) {
            QStringList quoted;
            for (const QString &a : withDb(args, db))
                quoted << u"'"_s + QString(a).replace(u"'"_s, u"'\\''"_s) + u"'"_s;
            const QString script = u"mount --bind '%1' '%1' && mount -o remount,bind,ro '%1' && exec '%2' %3"_s.arg(
                dir.path(), QStringLiteral(RIGHTSFLOW_CLI), quoted.join(u' '));
            QProcess process;
            process.setProcessEnvironment(test::cliEnvironment());
            process.start(u"unshare"_s, {u"-m"_s, u"/bin/sh"_s, u"-c"_s, script});
            process.waitForFinished(120000);
            test::ProcessRun run;
            run.args = args;
            run.finished = process.exitStatus() == QProcess::NormalExit;
            run.exitCode = process.exitCode();
            run.out = QString::fromUtf8(process.readAllStandardOutput());
            run.err = QString::fromUtf8(process.readAllStandardError());
            return run;
        };
        const test::ProcessRun probe = readOnly({u"audit"_s, u"verify"_s});
        QVERIFY2(!probe.err.contains(u"mount:"_s) && !probe.err.contains(u"unshare:"_s), qPrintable(probe.describe()));
        VERIFY_EXIT(probe, 0);
        QVERIFY2(probe.out.contains(u"Audit trail intact"_s), qPrintable(probe.describe()));
        const test::ProcessRun shown = readOnly({u"request"_s, u"show"_s, reference});
        VERIFY_EXIT(shown, 0);
        QVERIFY2(shown.out.contains(u"Margaret Ellis"_s), qPrintable(shown.describe()));
        const test::ProcessRun listed = readOnly({u"request"_s, u"list"_s, u"--json"_s});
        VERIFY_EXIT(listed, 0);
        QCOMPARE(QJsonDocument::fromJson(listed.out.toUtf8()).array().size(), 1);

        const test::ProcessRun note = readOnly({u"request"_s, u"note"_s, reference, u"a note"_s, u"--as"_s, u"alice"_s});
        VERIFY_EXIT(note, 6);
        QVERIFY2(note.err.contains(u"can only be read"_s), qPrintable(note.describe()));
        QCOMPARE(eventsIn(db), events);
    }
};

QTEST_GUILESS_MAIN(TestHardening)
#include "TestHardening.moc"
