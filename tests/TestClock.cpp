// SPDX-License-Identifier: GPL-3.0-or-later
// The register's text form of instants, and how command-line times are read.

#include "core/Clock.h"

#include <QTest>
#include <QTimeZone>

using namespace rf;

class TestClock : public QObject
{
    Q_OBJECT

private slots:
    void isoUtcMatchesQtAcrossTheCenturies()
    {
        // The hand-written formatter must agree with Qt's, before and after
        // 1970, across leap years and at every millisecond position.
        int checked = 0;
        for (qint64 ms = -3'000'000'000'000LL; ms < 5'000'000'000'000LL; ms += 987'654'321LL + 7) {
            const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
            QCOMPARE(isoUtc(t), t.toUTC().toString(Qt::ISODateWithMs));
            ++checked;
        }
        QVERIFY(checked > 8000);
    }

    void isoUtcConvertsToUtc()
    {
        const QDateTime summer(QDate(2026, 7, 1), QTime(10, 0), QTimeZone("Europe/London"));
        QCOMPARE(isoUtc(summer), QStringLiteral("2026-07-01T09:00:00.000Z"));
        QCOMPARE(isoUtc(QDateTime(QDate(2028, 2, 29), QTime(23, 59, 59, 999), QTimeZone::utc())),
            QStringLiteral("2028-02-29T23:59:59.999Z"));
        QVERIFY(isoUtc(QDateTime()).isEmpty());
    }

    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected"); // isoUtc of the result; empty when invalid
        QTest::addRow("winter date is midnight GMT")
            << QStringLiteral("2026-03-02") << QStringLiteral("2026-03-02T00:00:00.000Z");
        QTest::addRow("summer date is midnight BST")
            << QStringLiteral("2026-07-01") << QStringLiteral("2026-06-30T23:00:00.000Z");
        QTest::addRow("winter time without offset")
            << QStringLiteral("2026-03-02T09:30:00") << QStringLiteral("2026-03-02T09:30:00.000Z");
        QTest::addRow("summer time without offset")
            << QStringLiteral("2026-07-01T10:00:00") << QStringLiteral("2026-07-01T09:00:00.000Z");
        QTest::addRow("Z") << QStringLiteral("2026-03-02T09:30:00Z") << QStringLiteral("2026-03-02T09:30:00.000Z");
        QTest::addRow("offset") << QStringLiteral("2026-07-01T10:00:00+01:00") << QStringLiteral("2026-07-01T09:00:00.000Z");
        QTest::addRow("milliseconds") << QStringLiteral("2026-03-02T09:30:00.250Z") << QStringLiteral("2026-03-02T09:30:00.250Z");
        QTest::addRow("spaces around") << QStringLiteral("  2026-03-02 ") << QStringLiteral("2026-03-02T00:00:00.000Z");
        QTest::addRow("register form") << QStringLiteral("2028-02-29T23:59:59.999Z")
                                       << QStringLiteral("2028-02-29T23:59:59.999Z");
        QTest::addRow("register form, impossible day") << QStringLiteral("2027-02-29T10:00:00.000Z") << QString();
        QTest::addRow("register form, bad digit") << QStringLiteral("2026-03-0xT10:00:00.000Z") << QString();
        QTest::addRow("garbage") << QStringLiteral("next Tuesday") << QString();
        QTest::addRow("impossible date") << QStringLiteral("2026-02-30") << QString();
        QTest::addRow("empty") << QString() << QString();
    }

    void parse()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const QDateTime parsed = parseIsoDateTime(text);
        QCOMPARE(parsed.isValid(), !expected.isEmpty());
        if (parsed.isValid())
            QCOMPARE(isoUtc(parsed), expected);
    }

    void fixedClockStandsStill()
    {
        FixedClock clock(QDateTime(QDate(2026, 3, 2), QTime(9, 0), QTimeZone::utc()));
        QCOMPARE(clock.now(), clock.now());
        clock.advanceSecs(90);
        QCOMPARE(isoUtc(clock.now()), QStringLiteral("2026-03-02T09:01:30.000Z"));
    }
};

QTEST_GUILESS_MAIN(TestClock)
#include "TestClock.moc"
