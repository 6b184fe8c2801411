// SPDX-License-Identifier: GPL-3.0-or-later
// The audit chain: any edit, insertion or deletion is detected, and purging a
// payload under retention is not mistaken for tampering.

#include "TestSupport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <atomic>
#include <thread>

using namespace rf;

class TestAudit : public QObject
{
    Q_OBJECT

private:
    // A register with a few requests and actions: 4 user events + 3 filings + 6 actions.
    static bool populate(test::Fixture &fx)
    {
        if (!fx.setUp())
            return false;
        for (int i = 0; i < 3; ++i) {
            IntakeForm form = test::sampleForm(QStringLiteral("access"));
            form.requester.email = QStringLiteral("person%1@example.org").arg(i);
            Result<FiledRequest> filed = fx.engine->fileRequest(form, QStringLiteral("intake"));
            if (!filed)
                return false;
            if (!fx.engine->fire(filed->request.reference, QStringLiteral("acknowledge"), QStringLiteral("alice"), {},
                    QStringLiteral("ack %1").arg(i)))
                return false;
            if (!fx.engine->fire(filed->request.reference, QStringLiteral("start-work"), QStringLiteral("alice"), {}, {}))
                return false;
        }
        return true;
    }

    static bool sql(test::Fixture &fx, const QString &statement)
    {
        QSqlQuery q(QSqlDatabase::database(fx.store->connectionName()));
        if (!q.exec(statement)) {
            qWarning() << statement << q.lastError().text();
            return false;
        }
        return true;
    }

private slots:
    void intactChainVerifies()
    {
        test::Fixture fx;
        QVERIFY(populate(fx));
        Result<AuditVerification> result = fx.store->verifyAudit();
        QVERIFY(result.ok());
        QVERIFY2(result->intact, qPrintable(result->problem));
        QCOMPARE(result->eventsChecked, 13);
        QCOMPARE(result->firstBadSeq, 0);
    }

    void eventsAreLinked()
    {
        test::Fixture fx;
        QVERIFY(populate(fx));
        const QList<AuditEvent> events = *fx.store->auditEvents(QStringLiteral("DSR-2026-000002"));
        QCOMPARE(events.size(), 3);
        for (const AuditEvent &e : events) {
            QCOMPARE(e.hash, AuditChain::hashOf(e));
            QCOMPARE(e.payloadHash, AuditChain::payloadHashOf(e.inputs, e.note));
            QCOMPARE(e.hash.size(), 64);
        }
        // The first event of the register follows the genesis hash.
        QSqlQuery q(QSqlDatabase::database(fx.store->connectionName()));
        QVERIFY(q.exec(QStringLiteral("SELECT prev_hash FROM audit_events WHERE seq = 1")) && q.next());
        QCOMPARE(q.value(0).toString(), AuditChain::genesisHash());
    }

    void tampering_data()
    {
        QTest::addColumn<QString>("statement");
        QTest::addColumn<qint64>("firstBad");
        QTest::addColumn<QString>("phrase");
        QTest::addRow("actor edited") << QStringLiteral("UPDATE audit_events SET actor = 'mallory' WHERE seq = 6") << qint64(6)
                                      << QStringLiteral("content was changed");
        QTest::addRow("time edited") << QStringLiteral("UPDATE audit_events SET at = '2026-01-01T00:00:00.000Z' WHERE seq = 9")
                                     << qint64(9) << QStringLiteral("content was changed");
        QTest::addRow("state edited") << QStringLiteral("UPDATE audit_events SET to_state = 'completed' WHERE seq = 7")
                                      << qint64(7) << QStringLiteral("content was changed");
        QTest::addRow("note edited") << QStringLiteral(
            "UPDATE audit_events SET payload = replace(payload, 'ack 0', 'ack X') WHERE seq = 6")
                                     << qint64(6) << QStringLiteral("inputs or note were changed");
        QTest::addRow("middle deleted") << QStringLiteral("DELETE FROM audit_events WHERE seq = 8") << qint64(8)
                                        << QStringLiteral("missing");
        QTest::addRow("first deleted") << QStringLiteral("DELETE FROM audit_events WHERE seq = 1") << qint64(1)
                                       << QStringLiteral("missing");
        QTest::addRow("last deleted") << QStringLiteral("DELETE FROM audit_events WHERE seq = 13") << qint64(13)
                                      << QStringLiteral("removed from the end");
        QTest::addRow("head rewound too") << QStringLiteral(
            "DELETE FROM audit_events WHERE seq = 13; UPDATE audit_head SET seq = 12")
                                          << qint64(13) << QStringLiteral("removed from the end");
        // Renumbering after a deletion keeps the sequence whole but breaks the links.
        QTest::addRow("deleted and renumbered")
            << QStringLiteral("DELETE FROM audit_events WHERE seq = 5; UPDATE audit_events SET seq = seq - 1 WHERE seq > 5; "
                              "UPDATE audit_head SET seq = 12")
            << qint64(5) << QStringLiteral("");
    }

    void tampering()
    {
        QFETCH(QString, statement);
        QFETCH(qint64, firstBad);
        QFETCH(QString, phrase);
        test::Fixture fx;
        QVERIFY(populate(fx));
        for (const QString &part : statement.split(QStringLiteral("; ")))
            QVERIFY(sql(fx, part));
        Result<AuditVerification> result = fx.store->verifyAudit();
        QVERIFY(result.ok());
        QVERIFY(!result->intact);
        QCOMPARE(result->firstBadSeq, firstBad);
        QVERIFY2(result->problem.contains(phrase), qPrintable(result->problem));
    }

    void rehashedEditIsStillCaught()
    {
        // A forger who edits an event and recomputes its own hash still breaks
        // the link to the next event.
        test::Fixture fx;
        QVERIFY(populate(fx));
        AuditEvent event = fx.store->auditEvents(QStringLiteral("DSR-2026-000001"))->at(1);
        event.actor = QStringLiteral("mallory");
        event.hash = AuditChain::hashOf(event);
        QSqlQuery q(QSqlDatabase::database(fx.store->connectionName()));
        q.prepare(QStringLiteral("UPDATE audit_events SET actor = ?, hash = ? WHERE seq = ?"));
        q.addBindValue(event.actor);
        q.addBindValue(event.hash);
        q.addBindValue(event.seq);
        QVERIFY(q.exec());
        Result<AuditVerification> result = fx.store->verifyAudit();
        QVERIFY(!result->intact);
        QCOMPARE(result->firstBadSeq, event.seq + 1);
        QVERIFY(result->problem.contains(QStringLiteral("does not follow")));
    }

    void purgedPayloadStillVerifies()
    {
        // Retention erases the personal part of events; their hash stays in the chain.
        test::Fixture fx;
        QVERIFY(populate(fx));
        QVERIFY(sql(fx, QStringLiteral("UPDATE audit_events SET payload = NULL WHERE reference = 'DSR-2026-000001'")));
        Result<AuditVerification> result = fx.store->verifyAudit();
        QVERIFY2(result->intact, qPrintable(result->problem));
        const QList<AuditEvent> events = *fx.store->auditEvents(QStringLiteral("DSR-2026-000001"));
        QVERIFY(events.first().payloadPurged);
        QVERIFY(events.at(1).note.isEmpty());
    }

    void verifyingWhileOthersWrite()
    {
        // The DPO verifies while officers keep working: every verification
        // must see one consistent trail, never "events removed from the end".
        test::Fixture fx;
        QVERIFY(populate(fx));
        std::atomic<bool> stop {false};
        std::atomic<bool> writerDone {false};
        std::atomic<int> written {0};
        std::thread writer([&] {
            std::unique_ptr<SqlStore> store = fx.openAnother();
            if (store) {
                Engine engine(*store, fx.library, *fx.clock);
                while (!stop.load() && written.load() < 2000) {
                    if (!engine.addNote(
                            QStringLiteral("DSR-2026-000001"), QStringLiteral("bilal"), QStringLiteral("still working")))
                        break;
                    ++written;
                }
            }
            writerDone = true;
        });
        int verified = 0;
        QString firstProblem;
        // Verify at least 40 times, and until the writer has been writing for
        // a while (its connection may take longer to open than 40 checks).
        while ((verified < 40 || written.load() < 20) && !writerDone.load()) {
            Result<AuditVerification> result = fx.store->verifyAudit();
            if (!result || !result->intact) {
                firstProblem = result ? result->problem : result.error().message;
                break;
            }
            ++verified;
        }
        stop = true;
        writer.join();
        QVERIFY2(firstProblem.isEmpty(), qPrintable(firstProblem));
        QVERIFY(written.load() > 0);
        QVERIFY(fx.store->verifyAudit()->intact);
    }

    void canonicalFormIsSortedValidJson()
    {
        AuditEvent event;
        event.seq = 42;
        event.requestVersion = 7;
        event.reference = QStringLiteral("DSR-2026-000042");
        event.at = QDateTime(QDate(2026, 3, 2), QTime(9, 30, 0, 250), QTimeZone::utc());
        event.actor = QStringLiteral("o'brien \"the\" \\ officer\n\t\u0001 Zoë 名前");
        event.action = QStringLiteral("acknowledge");
        event.fromState = QStringLiteral("received");
        event.toState = QStringLiteral("checking");
        event.payloadHash = QString(64, QLatin1Char('a'));
        event.prevHash = AuditChain::genesisHash();
        const QByteArray canonical = AuditChain::canonicalEvent(event);
        QJsonParseError error;
        const QJsonObject parsed = QJsonDocument::fromJson(canonical, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(parsed.value(QStringLiteral("actor")).toString(), event.actor);
        QCOMPARE(parsed.value(QStringLiteral("at")).toString(), QStringLiteral("2026-03-02T09:30:00.250Z"));
        QCOMPARE(parsed.value(QStringLiteral("seq")).toString(), QStringLiteral("42"));
        QCOMPARE(parsed.value(QStringLiteral("version")).toString(), QStringLiteral("7"));
        QCOMPARE(parsed.size(), 10);
        // Keys in sorted order, no whitespace: the same bytes Qt writes for the same object.
        QCOMPARE(canonical, QJsonDocument(parsed).toJson(QJsonDocument::Compact));
    }

    void appendingContinuesTheChain()
    {
        test::Fixture fx;
        QVERIFY(populate(fx));
        const AuditEvent last = fx.store->auditEvents(QStringLiteral("DSR-2026-000003"))->constLast();
        QVERIFY(fx.engine->addNote(QStringLiteral("DSR-2026-000003"), QStringLiteral("alice"), QStringLiteral("Checked")).ok());
        const AuditEvent note = fx.store->auditEvents(QStringLiteral("DSR-2026-000003"))->constLast();
        QCOMPARE(note.seq, last.seq + 1);
        QCOMPARE(note.prevHash, last.hash);
        QVERIFY(fx.store->verifyAudit()->intact);
    }
};

QTEST_GUILESS_MAIN(TestAudit)
#include "TestAudit.moc"
