// SPDX-License-Identifier: GPL-3.0-or-later
// ProcessingRegister: the shipped Customer Services example loads; every kind
// of invalid register is refused with a line "FILE: JSON-PATH: what is wrong",
// all problems at once; and the Art 15(1) supplementary information holds only
// the systems asked for, in register order, with the documented unions.

#include "JsonEdit.h"
#include "bundle/ProcessingRegister.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace rf;

namespace {

const QString kSource = QStringLiteral("test-register.json");

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

// (No apostrophe in the raw string: moc's tokenizer would take it for a
// character literal and miss the test class.)
// A small register that passes every rule, with one system per lawful basis the
// rows below need and lists that overlap so the unions have something to merge.
const char kValidRegister[] = R"({
  "version": "7",
  "date": "2026-01-12",
  "controller": {"name": "Test Council", "address": "1 Test Street", "email": "info@test.example"},
  "dpo": {"name": "Data Protection Officer", "email": "dpo@test.example"},
  "ico": {"name": "Information Commissioner\u0027s Office", "address": "Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF",
          "phone": "0303 123 1113", "website": "ico.org.uk/make-a-complaint"},
  "systems": [
    {
      "id": "alpha", "name": "Alpha", "department": "Dept A",
      "purposes": ["Providing the service", "Quality"],
      "lawful-basis": "public-task", "lawful-basis-detail": "Some Act 1990",
      "categories": ["Name", "Address"], "subject-provided": ["Name"],
      "recipients": ["Contractor A"], "international-transfers": "none",
      "retention": "Six months from the call", "retention-period": {"months": 6},
      "sources": ["Land Registry"],
      "automated-decision": {"used": false, "note": "Flags are reviewed by an officer."}
    },
    {
      "id": "beta", "name": "Beta", "department": "Dept B", "description": "The paid service.",
      "purposes": ["Taking payment", "Quality"],
      "lawful-basis": "contract", "lawful-basis-detail": "The booking you make",
      "special-categories": [{"category": "health", "condition": "Art 9(2)(g), DPA 2018 Sch 1 para 6"}],
      "categories": ["Name", "Payment reference"], "subject-provided": ["Name"],
      "recipients": ["Payment provider", "Contractor A"],
      "international-transfers": "Support staff in the USA, under the UK International Data Transfer Agreement",
      "retention": "Two years", "retention-period": {"years": 2},
      "sources": [],
      "automated-decision": {"used": true, "logic": "A score from payment history", "significance": "Decides the payment plan"}
    },
    {
      "id": "gamma", "name": "Gamma", "department": "Dept C",
      "purposes": ["Newsletter"],
      "lawful-basis": "consent", "lawful-basis-detail": "You ticked the box",
      "categories": ["Address", "Newsletter preferences"], "subject-provided": ["Newsletter preferences"],
      "recipients": [], "international-transfers": "NONE",
      "retention": "Until you unsubscribe",
      "sources": ["Land Registry", "Electoral register"],
      "automated-decision": {"used": false}
    },
    {
      "id": "delta-2", "name": "Delta", "department": "Dept D",
      "purposes": ["Security"],
      "lawful-basis": "legitimate-interests", "lawful-basis-detail": "Keeping the building safe",
      "categories": ["CCTV images"],
      "recipients": ["Police on request"], "international-transfers": "none",
      "retention": "31 days", "retention-period": {"days": 31},
      "sources": [],
      "automated-decision": {"used": false}
    }
  ]
})";

QJsonObject validRegister()
{
    return QJsonDocument::fromJson(QByteArray(kValidRegister)).object();
}

// The value to put at a path, written as JSON; this one removes the key instead.
const QByteArray kRemove = QByteArrayLiteral("<remove>");

QJsonValue fromJsonText(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument wrapped = QJsonDocument::fromJson("[" + text + "]", &error);
    // A typo in a row must not turn into a null that some other rule refuses.
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in a test row: %s", text.constData());
    return wrapped.array().at(0);
}

struct Change {
    QString path;
    QByteArray json; // kRemove to remove the key
};

QByteArray changedRegister(const QList<Change> &changes)
{
    QJsonValue root = validRegister();
    for (const Change &change : changes) {
        const QJsonValue value = change.json == kRemove ? QJsonValue(QJsonValue::Undefined) : fromJsonText(change.json);
        root = rf::test::editedJson(root, change.path.split(QLatin1Char('/')), value);
    }
    return QJsonDocument(root.toObject()).toJson(QJsonDocument::Indented);
}

// The line of `details` that starts with `prefix` and mentions `phrase`, or an empty string.
QString matchingLine(const QStringList &details, const QString &prefix, const QString &phrase)
{
    for (const QString &line : details) {
        if (line.startsWith(prefix) && line.contains(phrase))
            return line;
    }
    return {};
}

QStringList ids(const QList<SystemDisclosure> &systems)
{
    QStringList result;
    for (const SystemDisclosure &d : systems)
        result << d.systemId;
    return result;
}

} // namespace

class TestProcessingRegister : public QObject
{
    Q_OBJECT

private slots:
    void shippedExampleParses();
    void validRegisterParses();
    void invalidRegisterIsRefused_data();
    void invalidRegisterIsRefused();
    void notJsonNamesLineAndColumn_data();
    void notJsonNamesLineAndColumn();
    void everyProblemIsReported();
    void missingFileIsNotFound();
    void supplementaryInformationHoldsOnlyRequestedSystems_data();
    void supplementaryInformationHoldsOnlyRequestedSystems();
    void supplementaryInformationMergesLists();
    void supplementaryInformationRefusesUnknownSystems();
    void rightsFollowTheLawfulBasis_data();
    void rightsFollowTheLawfulBasis();
};

void TestProcessingRegister::shippedExampleParses()
{
    const QString path = QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/resources/processing-register.example.json");
    const Result<ProcessingRegister> reg = ProcessingRegister::load(path);
    QVERIFY2(reg.ok(), reg ? "" : qPrintable(reg.error().fullText()));
    QCOMPARE(reg->source(), path);

    for (const char *id : {"council-tax", "bulky-waste", "call-recordings", "webchat"})
        QVERIFY2(reg->system(s(id)), id);

    const SourceSystem *calls = reg->system(s("call-recordings"));
    QVERIFY(calls->retention.startsWith(s("Six months")));
    QVERIFY(calls->retentionPeriod.has_value());
    QCOMPARE(*calls->retentionPeriod, (RetentionPeriod {0, 6, 0}));
    QCOMPARE(calls->department, s("Customer Services"));

    // Council tax: statutory, with sources other than the subject, and the
    // single person discount review described as reviewed by a person.
    const SourceSystem *councilTax = reg->system(s("council-tax"));
    QCOMPARE(councilTax->lawfulBasis, s("legal-obligation"));
    QVERIFY(councilTax->lawfulBasisDetail.contains(s("Local Government Finance Act 1992")));
    QVERIFY(!councilTax->sources.isEmpty());
    QVERIFY(!councilTax->automatedDecision.used);
    QVERIFY(councilTax->automatedDecision.note.contains(s("officer")));

    QCOMPARE(reg->complaints().name, s("Information Commissioner's Office"));
    QCOMPARE(reg->complaints().address, s("Wycliffe House, Water Lane, Wilmslow, Cheshire SK9 5AF"));
    QCOMPARE(reg->complaints().phone, s("0303 123 1113"));
    QCOMPARE(reg->complaints().website, s("ico.org.uk/make-a-complaint"));
    QCOMPARE(reg->dpo().email, s("dpo@example-council.gov.uk"));
    QVERIFY(reg->date().isValid());
}

void TestProcessingRegister::validRegisterParses()
{
    const Result<ProcessingRegister> reg = ProcessingRegister::parse(QByteArray(kValidRegister), kSource);
    QVERIFY2(reg.ok(), reg ? "" : qPrintable(reg.error().fullText()));
    QCOMPARE(reg->source(), kSource);
    QCOMPARE(reg->version(), s("7"));
    QCOMPARE(reg->date(), QDate(2026, 1, 12));
    QCOMPARE(reg->controller().name, s("Test Council"));
    QCOMPARE(reg->controller().email, s("info@test.example"));
    QCOMPARE(reg->dpo().name, s("Data Protection Officer"));
    QCOMPARE(reg->systems().size(), 4);
    QVERIFY(!reg->system(s("epsilon")));

    const SourceSystem *beta = reg->system(s("beta"));
    QVERIFY(beta);
    QCOMPARE(beta, &reg->systems().at(1));
    QCOMPARE(beta->name, s("Beta"));
    QCOMPARE(beta->description, s("The paid service."));
    QCOMPARE(beta->purposes, QStringList({s("Taking payment"), s("Quality")}));
    QCOMPARE(beta->lawfulBasis, s("contract"));
    QCOMPARE(beta->lawfulBasisDetail, s("The booking you make"));
    QCOMPARE(beta->specialCategories,
        QList<SpecialCategory>({SpecialCategory {s("health"), s("Art 9(2)(g), DPA 2018 Sch 1 para 6")}}));
    QCOMPARE(beta->categories, QStringList({s("Name"), s("Payment reference")}));
    QCOMPARE(beta->subjectProvided, QStringList({s("Name")}));
    QCOMPARE(beta->recipients, QStringList({s("Payment provider"), s("Contractor A")}));
    QVERIFY(beta->internationalTransfers.startsWith(s("Support staff in the USA")));
    QCOMPARE(beta->retention, s("Two years"));
    QCOMPARE(beta->retentionPeriod, std::optional<RetentionPeriod>(RetentionPeriod {2, 0, 0}));
    QVERIFY(beta->sources.isEmpty());
    QCOMPARE(beta->automatedDecision,
        (AutomatedDecision {true, s("A score from payment history"), s("Decides the payment plan"), {}}));

    const SourceSystem *gamma = reg->system(s("gamma"));
    QVERIFY(gamma);
    QVERIFY(!gamma->retentionPeriod.has_value());
    QVERIFY(gamma->recipients.isEmpty());
    QCOMPARE(gamma->sources, QStringList({s("Land Registry"), s("Electoral register")}));
    QCOMPARE(reg->system(s("alpha"))->automatedDecision.note, s("Flags are reviewed by an officer."));
    QCOMPARE(reg->system(s("delta-2"))->retentionPeriod, std::optional<RetentionPeriod>(RetentionPeriod {0, 0, 31}));
}

void TestProcessingRegister::invalidRegisterIsRefused_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("phrase");
    QTest::addColumn<int>("count");

    const auto row
        = [](const char *name, const char *path, const QByteArray &json, const char *at, const char *phrase, int count = 1) {
              QTest::addRow("%s", name) << s(path) << json << kSource + s(": ") + s(at) << s(phrase) << count;
          };
    // Missing keys.
    row("missing retention", "systems/2/retention", kRemove, "$.systems[2].retention", "missing (expected a string)");
    row("missing recipients", "systems/2/recipients", kRemove, "$.systems[2].recipients", "missing (expected an array");
    row("missing sources", "systems/0/sources", kRemove, "$.systems[0].sources", "missing");
    row("missing automated decision", "systems/3/automated-decision", kRemove, "$.systems[3].automated-decision",
        "missing (expected an object)");
    row("missing ico", "ico", kRemove, "$.ico", "missing");
    row("missing ico phone", "ico/phone", kRemove, "$.ico.phone", "missing");
    row("missing dpo email", "dpo/email", kRemove, "$.dpo.email", "missing");
    row("missing systems", "systems", kRemove, "$.systems", "missing (expected an array of systems)");
    row("missing used", "systems/3/automated-decision/used", kRemove, "$.systems[3].automated-decision.used",
        "missing (expected true or false)");
    // Wrong types and blank values.
    row("purposes a string", "systems/1/purposes", "\"Billing\"", "$.systems[1].purposes",
        "expected an array of strings, found a string");
    row("category a number", "systems/3/categories/0", "3", "$.systems[3].categories[0]", "expected a string, found a number");
    row("retention a number", "systems/2/retention", "6", "$.systems[2].retention", "expected a string, found a number");
    row("used a string", "systems/0/automated-decision/used", "\"yes\"", "$.systems[0].automated-decision.used",
        "expected true or false, found a string");
    row("ico a string", "ico", "\"ico.org.uk\"", "$.ico", "expected an object, found a string");
    row("system a string", "systems/1", "\"beta\"", "$.systems[1]", "expected an object, found a string");
    row("systems an object", "systems", "{}", "$.systems", "expected an array of systems, found an object");
    row("blank name", "systems/0/name", "\"  \"", "$.systems[0].name", "must not be empty");
    row("blank transfers", "systems/0/international-transfers", "\"\"", "$.systems[0].international-transfers",
        "must not be empty");
    row("blank recipient", "systems/1/recipients/1", "\" \"", "$.systems[1].recipients[1]", "must not be empty");
    // Unknown keys, at each level.
    row("unknown system key", "systems/3/colour", "\"blue\"", "$.systems[3].colour", "unknown key");
    row("unknown top-level key", "owner", "\"IG\"", "$.owner", "unknown key");
    row("unknown ico key", "ico/fax", "\"none\"", "$.ico.fax", "unknown key");
    row("unknown decision key", "systems/1/automated-decision/human-review", "true",
        "$.systems[1].automated-decision.human-review", "unknown key");
    row("snake_case key", "systems/0/lawful_basis", "\"public-task\"", "$.systems[0].lawful_basis", "unknown key");
    // Ids.
    row("duplicate id", "systems/3/id", "\"alpha\"", "$.systems[3].id",
        "duplicate system id \"alpha\" (the same as $.systems[0])");
    row("upper-case id", "systems/1/id", "\"Beta\"", "$.systems[1].id", "is not a valid id");
    row("underscore in id", "systems/1/id", "\"beta_2\"", "$.systems[1].id", "is not a valid id");
    row("id starting with a digit", "systems/1/id", "\"2beta\"", "$.systems[1].id", "is not a valid id");
    // Lawful basis and special categories.
    row("unknown lawful basis", "systems/2/lawful-basis", "\"public-interest\"", "$.systems[2].lawful-basis",
        "unknown lawful basis \"public-interest\"");
    row("article as lawful basis", "systems/2/lawful-basis", "\"6(1)(e)\"", "$.systems[2].lawful-basis", "unknown lawful basis");
    row("missing basis detail", "systems/2/lawful-basis-detail", kRemove, "$.systems[2].lawful-basis-detail", "missing");
    row("unknown special category", "systems/1/special-categories/0/category", "\"medical\"",
        "$.systems[1].special-categories[0].category", "is not an Art 9 special category");
    row("special category without condition", "systems/1/special-categories/0/condition", kRemove,
        "$.systems[1].special-categories[0].condition", "missing");
    row("duplicate special category", "systems/1/special-categories/1", R"({"category": "health", "condition": "again"})",
        "$.systems[1].special-categories[1].category", "duplicate special category");
    row("special categories a string", "systems/1/special-categories", "\"health\"", "$.systems[1].special-categories",
        "expected an array of objects");
    // Lists.
    row("empty purposes", "systems/0/purposes", "[]", "$.systems[0].purposes", "must not be empty");
    row("empty categories", "systems/3/categories", "[]", "$.systems[3].categories", "must not be empty");
    row("duplicate purpose", "systems/0/purposes/2", "\"Quality\"", "$.systems[0].purposes[2]",
        "duplicate entry \"Quality\" (the same as [1])");
    row("no systems", "systems", "[]", "$.systems", "must not be empty");
    row("subject-provided not a category", "systems/0/subject-provided/0", "\"Nmae\"", "$.systems[0].subject-provided[0]",
        "is not one of this system's categories");
    // Retention period.
    row("negative months", "systems/0/retention-period/months", "-1", "$.systems[0].retention-period.months",
        "expected a whole number from 0 to 1000, found -1");
    row("fractional years", "systems/1/retention-period/years", "1.5", "$.systems[1].retention-period.years",
        "expected a whole number");
    row("months as text", "systems/1/retention-period/months", "\"6\"", "$.systems[1].retention-period.months", "found a string");
    row("empty period", "systems/0/retention-period", "{}", "$.systems[0].retention-period", "at least one of");
    row("weeks", "systems/3/retention-period/weeks", "2", "$.systems[3].retention-period.weeks", "unknown key");
    // Automated decisions.
    row("used without logic", "systems/0/automated-decision", R"({"used": true, "significance": "It decides"})",
        "$.systems[0].automated-decision.logic", "missing");
    row("used without anything", "systems/0/automated-decision", R"({"used": true})",
        "$.systems[0].automated-decision.significance", "missing", 2);
    row("logic when not used", "systems/2/automated-decision/logic", "\"A score\"", "$.systems[2].automated-decision.logic",
        "describe other automated processing in \"note\"");
    // Top-level details.
    row("date not ISO", "date", "\"12/01/2026\"", "$.date", "is not a date (expected YYYY-MM-DD)");
    row("date impossible", "date", "\"2026-02-30\"", "$.date", "is not a date");
    row("dpo email not an address", "dpo/email", "\"dpo at example\"", "$.dpo.email", "is not an e-mail address");
    row("missing controller address", "controller/address", kRemove, "$.controller.address", "missing");
}

void TestProcessingRegister::invalidRegisterIsRefused()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, json);
    QFETCH(QString, prefix);
    QFETCH(QString, phrase);
    QFETCH(int, count);

    const QByteArray text = changedRegister({{path, json}});
    QVERIFY(text != QJsonDocument(validRegister()).toJson(QJsonDocument::Indented));
    const Result<ProcessingRegister> reg = ProcessingRegister::parse(text, kSource);
    QVERIFY2(!reg.ok(), qPrintable(prefix));
    QCOMPARE(reg.error().code, ErrorCode::Invalid);
    QVERIFY2(reg.error().message.startsWith(kSource + s(": invalid processing register")), qPrintable(reg.error().message));
    QVERIFY2(!matchingLine(reg.error().details, prefix, phrase).isEmpty(), qPrintable(reg.error().fullText()));
    QVERIFY2(reg.error().details.size() == count, qPrintable(reg.error().fullText()));
}

void TestProcessingRegister::notJsonNamesLineAndColumn_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("position");

    // The position of the character where the document stops making sense; a
    // document cut short is reported at its last character.
    QTest::addRow("missing colon") << QByteArray("{\n  \"version\": \"1\",\n  \"date\" \"2026-01-12\"\n}") << s(":3:10:");
    QTest::addRow("unterminated array") << QByteArray("{\n  \"systems\": [\n    {}\n") << s(":3:7:");
    QTest::addRow("trailing garbage") << QByteArray("{}\n\n  x") << s(":3:3:");
    QTest::addRow("trailing comma") << QByteArray("{\"version\": \"1\",\n}") << s(":2:1:");
}

void TestProcessingRegister::notJsonNamesLineAndColumn()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, position);

    const Result<ProcessingRegister> reg = ProcessingRegister::parse(json, kSource);
    QVERIFY(!reg.ok());
    QCOMPARE(reg.error().code, ErrorCode::Invalid);
    QCOMPARE(reg.error().details.size(), 1);
    QVERIFY2(reg.error().details.first().startsWith(kSource + position + s(" not valid JSON: ")),
        qPrintable(reg.error().details.first()));

    const Result<ProcessingRegister> array = ProcessingRegister::parse(QByteArrayLiteral("[]"), kSource);
    QVERIFY(!array.ok());
    QCOMPARE(array.error().details, QStringList {kSource + s(": $: expected an object at the top level")});
}

void TestProcessingRegister::everyProblemIsReported()
{
    const QByteArray text = changedRegister({
        {s("systems/2/retention"), kRemove},
        {s("systems/0/lawful-basis"), "\"public-interest\""},
        {s("systems/3/id"), "\"beta\""},
        {s("ico/colour"), "\"red\""},
        {s("date"), "\"yesterday\""},
    });
    const Result<ProcessingRegister> reg = ProcessingRegister::parse(text, kSource);
    QVERIFY(!reg.ok());
    const QStringList &details = reg.error().details;
    QVERIFY2(details.size() == 5, qPrintable(reg.error().fullText()));
    QCOMPARE(reg.error().message, kSource + s(": invalid processing register (5 problems)"));
    const QList<QPair<const char *, const char *>> expected {
        {"$.systems[2].retention", "missing"},
        {"$.systems[0].lawful-basis", "unknown lawful basis"},
        {"$.systems[3].id", "duplicate system id \"beta\""},
        {"$.ico.colour", "unknown key"},
        {"$.date", "is not a date"},
    };
    for (const auto &[at, phrase] : expected)
        QVERIFY2(!matchingLine(details, kSource + s(": ") + s(at), s(phrase)).isEmpty(), at);
}

void TestProcessingRegister::missingFileIsNotFound()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(s("absent.json"));
    const Result<ProcessingRegister> reg = ProcessingRegister::load(path);
    QVERIFY(!reg.ok());
    QCOMPARE(reg.error().code, ErrorCode::NotFound);
    QVERIFY2(reg.error().message.startsWith(path + s(": cannot read a processing register")), qPrintable(reg.error().message));
}

void TestProcessingRegister::supplementaryInformationHoldsOnlyRequestedSystems_data()
{
    QTest::addColumn<QStringList>("requested");
    QTest::addColumn<QStringList>("expected");

    QTest::addRow("one") << QStringList {s("gamma")} << QStringList {s("gamma")};
    QTest::addRow("register order, not request order")
        << QStringList {s("delta-2"), s("alpha"), s("gamma")} << QStringList {s("alpha"), s("gamma"), s("delta-2")};
    QTest::addRow("repeats ignored") << QStringList {s("beta"), s("alpha"), s("beta")} << QStringList {s("alpha"), s("beta")};
    QTest::addRow("all") << QStringList {s("gamma"), s("delta-2"), s("beta"), s("alpha")}
                         << QStringList {s("alpha"), s("beta"), s("gamma"), s("delta-2")};
    QTest::addRow("none") << QStringList {} << QStringList {};
}

void TestProcessingRegister::supplementaryInformationHoldsOnlyRequestedSystems()
{
    QFETCH(QStringList, requested);
    QFETCH(QStringList, expected);

    const Result<ProcessingRegister> reg = ProcessingRegister::parse(QByteArray(kValidRegister), kSource);
    QVERIFY(reg.ok());
    const Result<SupplementaryInformation> info = reg->supplementaryInformation(requested);
    QVERIFY2(info.ok(), info ? "" : qPrintable(info.error().fullText()));
    QCOMPARE(ids(info->systems), expected);
    // Each part carries its own system's register entry, not a neighbour's.
    for (const SystemDisclosure &d : info->systems) {
        const SourceSystem *system = reg->system(d.systemId);
        QVERIFY(system);
        QCOMPARE(d.systemName, system->name);
        QCOMPARE(d.purposes, system->purposes);
        QCOMPARE(d.categories, system->categories);
        QCOMPARE(d.recipients, system->recipients);
        QCOMPARE(d.retention, system->retention);
        QCOMPARE(d.sources, system->sources);
        QCOMPARE(d.automatedDecision, system->automatedDecision);
    }
    // (f) and the controller come from the file whatever was asked.
    QCOMPARE(info->complaints.phone, s("0303 123 1113"));
    QCOMPARE(info->controller.name, s("Test Council"));
    QCOMPARE(info->dpo.email, s("dpo@test.example"));
    QCOMPARE(info->registerVersion, s("7"));
}

void TestProcessingRegister::supplementaryInformationMergesLists()
{
    const Result<ProcessingRegister> reg = ProcessingRegister::parse(QByteArray(kValidRegister), kSource);
    QVERIFY(reg.ok());

    // Asked for beta before alpha, the unions still follow register order:
    // alpha's entries first, then beta's new ones; exact repeats merged.
    const Result<SupplementaryInformation> ab = reg->supplementaryInformation({s("beta"), s("alpha")});
    QVERIFY(ab.ok());
    QCOMPARE(ab->purposes, QStringList({s("Providing the service"), s("Quality"), s("Taking payment")}));
    QCOMPARE(ab->categories, QStringList({s("Name"), s("Address"), s("Payment reference")}));
    QCOMPARE(ab->recipients, QStringList({s("Contractor A"), s("Payment provider")}));
    QCOMPARE(ab->internationalTransfers,
        QStringList {s("Support staff in the USA, under the UK International Data Transfer Agreement")});
    QCOMPARE(ab->sources, QStringList {s("Land Registry")});
    QCOMPARE(ab->automatedDecisionSystems, QStringList {s("beta")});
    QCOMPARE(ab->systems.at(1).specialCategories.size(), 1);
    QCOMPARE(ab->systems.at(1).lawfulBasisArticle, s("Article 6(1)(b)"));
    QCOMPARE(ab->systems.at(0).retentionPeriod, std::optional<RetentionPeriod>(RetentionPeriod {0, 6, 0}));

    // "none" in any case is not a transfer; a system with no recipients adds none.
    const Result<SupplementaryInformation> ag = reg->supplementaryInformation({s("gamma"), s("alpha")});
    QVERIFY(ag.ok());
    QVERIFY(ag->internationalTransfers.isEmpty());
    QCOMPARE(ag->recipients, QStringList {s("Contractor A")});
    QCOMPARE(ag->sources, QStringList({s("Land Registry"), s("Electoral register")}));
    QCOMPARE(ag->categories, QStringList({s("Name"), s("Address"), s("Newsletter preferences")}));
    QVERIFY(ag->automatedDecisionSystems.isEmpty());
    // Per system the lists are untouched by the merge.
    QCOMPARE(ag->systems.at(1).sources, QStringList({s("Land Registry"), s("Electoral register")}));
    QCOMPARE(ag->systems.at(1).internationalTransfers, s("NONE"));

    // Only the subject as a source: the (g) union is empty.
    const Result<SupplementaryInformation> bd = reg->supplementaryInformation({s("beta"), s("delta-2")});
    QVERIFY(bd.ok());
    QVERIFY(bd->sources.isEmpty());
    QCOMPARE(bd->recipients, QStringList({s("Payment provider"), s("Contractor A"), s("Police on request")}));
}

void TestProcessingRegister::supplementaryInformationRefusesUnknownSystems()
{
    const Result<ProcessingRegister> reg = ProcessingRegister::parse(QByteArray(kValidRegister), kSource);
    QVERIFY(reg.ok());
    const Result<SupplementaryInformation> info
        = reg->supplementaryInformation({s("alpha"), s("housing"), s("Alpha"), s("housing")});
    QVERIFY(!info.ok());
    QCOMPARE(info.error().code, ErrorCode::NotFound);
    QCOMPARE(info.error().details,
        QStringList({kSource + s(": no system \"housing\" in the processing register"),
            kSource + s(": no system \"Alpha\" in the processing register")}));
}

void TestProcessingRegister::rightsFollowTheLawfulBasis_data()
{
    QTest::addColumn<QString>("basis");
    QTest::addColumn<bool>("subjectProvided");
    QTest::addColumn<QString>("article");
    QTest::addColumn<bool>("objection");
    QTest::addColumn<bool>("erasureLimited");
    QTest::addColumn<bool>("withdraw");
    QTest::addColumn<bool>("portability");

    //                                  basis                        provided article              object erase  withdr port
    QTest::addRow("consent") << s("consent") << true << s("Article 6(1)(a)") << false << false << true << true;
    QTest::addRow("consent, nothing provided")
        << s("consent") << false << s("Article 6(1)(a)") << false << false << true << false;
    QTest::addRow("contract") << s("contract") << true << s("Article 6(1)(b)") << false << false << false << true;
    QTest::addRow("legal obligation") << s("legal-obligation") << true << s("Article 6(1)(c)") << false << true << false << false;
    QTest::addRow("vital interests") << s("vital-interests") << true << s("Article 6(1)(d)") << false << false << false << false;
    QTest::addRow("public task") << s("public-task") << true << s("Article 6(1)(e)") << true << true << false << false;
    QTest::addRow("legitimate interests") << s("legitimate-interests") << true << s("Article 6(1)(f)") << true << false << false
                                          << false;
}

void TestProcessingRegister::rightsFollowTheLawfulBasis()
{
    QFETCH(QString, basis);
    QFETCH(bool, subjectProvided);
    QFETCH(QString, article);
    QFETCH(bool, objection);
    QFETCH(bool, erasureLimited);
    QFETCH(bool, withdraw);
    QFETCH(bool, portability);

    QCOMPARE(ProcessingRegister::lawfulBasisArticle(basis), article);
    QVERIFY(ProcessingRegister::lawfulBasisArticle(s("public-interest")).isEmpty());

    QList<Change> changes {{s("systems/0/lawful-basis"), '"' + basis.toUtf8() + '"'}};
    if (!subjectProvided)
        changes.append({s("systems/0/subject-provided"), "[]"});
    const Result<ProcessingRegister> reg = ProcessingRegister::parse(changedRegister(changes), kSource);
    QVERIFY2(reg.ok(), reg ? "" : qPrintable(reg.error().fullText()));
    const SourceSystem *alpha = reg->system(s("alpha"));
    QCOMPARE(alpha->lawfulBasis, basis);
    QCOMPARE(alpha->objectionApplies(), objection);
    QCOMPARE(alpha->erasureLimitedByLaw(), erasureLimited);
    QCOMPARE(alpha->consentCanBeWithdrawn(), withdraw);
    QCOMPARE(alpha->portabilityApplies(), portability);

    const Result<SupplementaryInformation> info = reg->supplementaryInformation({s("alpha")});
    QVERIFY(info.ok());
    const SystemDisclosure &d = info->systems.first();
    QCOMPARE(d.lawfulBasisArticle, article);
    QCOMPARE(d.objectionApplies, objection);
    QCOMPARE(d.erasureLimitedByLaw, erasureLimited);
    QCOMPARE(d.consentCanBeWithdrawn, withdraw);
    QCOMPARE(d.portabilityApplies, portability);
}

QTEST_GUILESS_MAIN(TestProcessingRegister)
#include "TestProcessingRegister.moc"
