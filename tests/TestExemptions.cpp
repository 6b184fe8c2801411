// SPDX-License-Identifier: GPL-3.0-or-later
// The exemption list officers record when they withhold or redact: the
// shipped one validates and holds what councils use most (DOMAIN: Sch 2
// paras 2, 16, 19 and Sch 3 Pt 3), and a bad list is refused with every
// problem named by its JSON path.

#include "JsonEdit.h"

#include "bundle/Exemptions.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace rf;

namespace {

const QString kSource = QStringLiteral("exemptions.json");

QJsonObject shippedJson()
{
    QFile file(QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/resources/bundle/exemptions.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

} // namespace

class TestExemptions : public QObject
{
    Q_OBJECT

private slots:
    void shippedListHoldsWhatCouncilsUseMost_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("provision");
        QTest::addColumn<bool>("redact");
        QTest::addColumn<bool>("withhold");
        QTest::addRow("third-party") << QStringLiteral("third-party")
                                     << QStringLiteral("DPA 2018 Schedule 2, Part 3, paragraph 16") << true << true;
        QTest::addRow("crime and taxation") << QStringLiteral("crime-and-taxation")
                                            << QStringLiteral("DPA 2018 Schedule 2, Part 1, paragraph 2") << true << true;
        QTest::addRow("legal professional privilege")
            << QStringLiteral("legal-professional-privilege") << QStringLiteral("DPA 2018 Schedule 2, Part 4, paragraph 19")
            << true << true;
        QTest::addRow("social work") << QStringLiteral("social-work-serious-harm")
                                     << QStringLiteral("DPA 2018 Schedule 3, Part 3") << true << true;
        QTest::addRow("confidential references") << QStringLiteral("confidential-references")
                                                 << QStringLiteral("DPA 2018 Schedule 2, Part 4, paragraph 24") << false << true;
    }

    void shippedListHoldsWhatCouncilsUseMost()
    {
        QFETCH(QString, id);
        QFETCH(QString, provision);
        QFETCH(bool, redact);
        QFETCH(bool, withhold);
        // The compiled-in copy is the file in the source tree.
        QFile source(QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/resources/bundle/exemptions.json"));
        QVERIFY(source.open(QIODevice::ReadOnly));
        const Result<ExemptionList> fromSource = ExemptionList::parse(source.readAll(), source.fileName());
        QVERIFY2(fromSource.ok(), fromSource ? "" : qPrintable(fromSource.error().fullText()));
        QCOMPARE(ExemptionList::shipped().ids(), fromSource->ids());

        const Exemption *exemption = ExemptionList::shipped().find(id);
        QVERIFY2(exemption, qPrintable(id));
        QCOMPARE(exemption->provision, provision);
        QCOMPARE(exemption->allowsRedact, redact);
        QCOMPARE(exemption->allowsWithhold, withhold);
        QVERIFY(!exemption->title.isEmpty());
        QVERIFY(exemption->letter.endsWith(QLatin1Char('.')));
        QVERIFY(!ExemptionList::shipped().find(QStringLiteral("no-such-exemption")));
    }

    void invalidListIsRefused_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<QString>("phrase");
        const QJsonValue remove(QJsonValue::Undefined);
        const auto at = [](const char *path) { return kSource + QStringLiteral(": ") + QString::fromUtf8(path); };
        QTest::addRow("no exemptions") << QStringLiteral("exemptions") << QJsonValue(QJsonArray()) << at("$.exemptions")
                                       << QStringLiteral("must not be empty");
        QTest::addRow("exemptions missing") << QStringLiteral("exemptions") << remove << at("$.exemptions")
                                            << QStringLiteral("missing");
        QTest::addRow("unknown key") << QStringLiteral("exemptions/0/paragraph") << QJsonValue(16)
                                     << at("$.exemptions[0].paragraph") << QStringLiteral("unknown key");
        QTest::addRow("missing provision") << QStringLiteral("exemptions/1/provision") << remove
                                           << at("$.exemptions[1].provision") << QStringLiteral("missing");
        QTest::addRow("blank letter") << QStringLiteral("exemptions/2/letter") << QJsonValue(QStringLiteral("  "))
                                      << at("$.exemptions[2].letter") << QStringLiteral("must not be empty");
        QTest::addRow("bad id") << QStringLiteral("exemptions/0/id") << QJsonValue(QStringLiteral("Third Party"))
                                << at("$.exemptions[0].id") << QStringLiteral("not a valid id");
        QTest::addRow("duplicate id") << QStringLiteral("exemptions/1/id") << QJsonValue(QStringLiteral("third-party"))
                                      << at("$.exemptions[1].id") << QStringLiteral("duplicate id \"third-party\"");
        QTest::addRow("unknown decision") << QStringLiteral("exemptions/0/allows/0") << QJsonValue(QStringLiteral("shred"))
                                          << at("$.exemptions[0].allows[0]") << QStringLiteral("\"shred\" is not a decision");
        QTest::addRow("no decisions") << QStringLiteral("exemptions/0/allows") << QJsonValue(QJsonArray())
                                      << at("$.exemptions[0].allows") << QStringLiteral("must not be empty");
        QTest::addRow("not an object") << QStringLiteral("exemptions/3") << QJsonValue(QStringLiteral("negotiations"))
                                       << at("$.exemptions[3]") << QStringLiteral("expected an object, found a string");
    }

    void invalidListIsRefused()
    {
        QFETCH(QString, path);
        QFETCH(QJsonValue, value);
        QFETCH(QString, prefix);
        QFETCH(QString, phrase);
        const QJsonValue edited = test::editedJson(shippedJson(), path.split(QLatin1Char('/')), value);
        const Result<ExemptionList> list = ExemptionList::parse(QJsonDocument(edited.toObject()).toJson(), kSource);
        QVERIFY(!list.ok());
        QCOMPARE(list.error().code, ErrorCode::Invalid);
        bool found = false;
        for (const QString &detail : list.error().details)
            found = found || (detail.startsWith(prefix + QStringLiteral(": ")) && detail.contains(phrase));
        QVERIFY2(found, qPrintable(list.error().details.join(QLatin1Char('\n'))));
    }

    void notJsonNamesLineAndColumn()
    {
        const Result<ExemptionList> list = ExemptionList::parse("{\n  \"exemptions\": [\n    {\"id\": }\n  ]\n}\n", kSource);
        QVERIFY(!list.ok());
        QVERIFY2(list.error().details.value(0).startsWith(kSource + QStringLiteral(":3:")),
            qPrintable(list.error().details.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestExemptions)
#include "TestExemptions.moc"
