// SPDX-License-Identifier: GPL-3.0-or-later
// Intake validation: every field problem is reported, named, and nothing is filed.

#include "EmailAddressCases.h"
#include "TestSupport.h"

#include "request/IntakeValidator.h"

#include <QHash>
#include <QTest>

#include <functional>

using namespace rf;

class TestIntake : public QObject
{
    Q_OBJECT

private:
    // The problem lines a form gets, or none when it was accepted.
    QStringList problemsWith(const IntakeForm &form) const
    {
        const Result<IntakeForm> result = IntakeValidator(m_now).validate(form);
        return result.ok() ? QStringList() : result.error().details;
    }

    const QDateTime m_now = QDateTime(QDate(2026, 3, 2), QTime(9, 0), QTimeZone::utc());

private slots:
    void validForm()
    {
        IntakeValidator validator(m_now);
        Result<IntakeForm> result = validator.validate(test::sampleForm(QStringLiteral("access")));
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().fullText()));
        // The subject's own details become identifiers to search by.
        QStringList kinds;
        for (const Identifier &id : result->identifiers)
            kinds << id.kind;
        QVERIFY(kinds.contains(QStringLiteral("name")));
        QVERIFY(kinds.contains(QStringLiteral("email")));
        QVERIFY(kinds.contains(QStringLiteral("postcode")));
    }

    void receivedDefaultsToNow()
    {
        IntakeForm form = test::sampleForm(QStringLiteral("erasure"));
        form.received = QDateTime();
        Result<IntakeForm> result = IntakeValidator(m_now).validate(form);
        QVERIFY(result.ok());
        QCOMPARE(result->received, m_now);
    }

    void invalidField_data()
    {
        QTest::addColumn<std::function<void(IntakeForm &)>>("mutate");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("phrase");

        QTest::addRow("unknown right") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.right = QStringLiteral("forgetting");
        }) << QStringLiteral("right:") << QStringLiteral("unknown right 'forgetting'");
        QTest::addRow("missing right") << std::function<void(IntakeForm &)>([](IntakeForm &f) { f.right.clear(); })
                                       << QStringLiteral("right:") << QStringLiteral("missing");
        QTest::addRow("unknown channel") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.channel = QStringLiteral("pigeon");
        }) << QStringLiteral("channel:") << QStringLiteral("unknown channel 'pigeon'");
        QTest::addRow("malformed email") << std::function<void(IntakeForm &)>(
            [](IntakeForm &f) { f.requester.email = QStringLiteral("m.ellis@"); })
                                         << QStringLiteral("requester.email:") << QStringLiteral("not an e-mail address");
        QTest::addRow("email without domain dot")
            << std::function<void(IntakeForm &)>([](IntakeForm &f) { f.requester.email = QStringLiteral("m@localhost"); })
            << QStringLiteral("requester.email:") << QStringLiteral("not an e-mail address");
        QTest::addRow("malformed postcode") << std::function<void(IntakeForm &)>(
            [](IntakeForm &f) { f.requester.postcode = QStringLiteral("L20 7"); })
                                            << QStringLiteral("requester.postcode:") << QStringLiteral("not a UK postcode");
        QTest::addRow("malformed phone") << std::function<void(IntakeForm &)>(
            [](IntakeForm &f) { f.requester.phone = QStringLiteral("call me"); })
                                         << QStringLiteral("requester.phone:") << QStringLiteral("not a telephone number");
        QTest::addRow("NI number with bad prefix") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.identifiers.append(Identifier {QStringLiteral("ni-number"), QStringLiteral("GB123456A")});
        }) << QStringLiteral("identifiers[0] (ni-number):")
                                                   << QStringLiteral("not a National Insurance number");
        QTest::addRow("NI number with bad suffix") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.identifiers.append(Identifier {QStringLiteral("ni-number"), QStringLiteral("AB123456E")});
        }) << QStringLiteral("identifiers[0] (ni-number):")
                                                   << QStringLiteral("not a National Insurance number");
        QTest::addRow("unknown identifier kind") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.identifiers.append(Identifier {QStringLiteral("shoe-size"), QStringLiteral("9")});
        }) << QStringLiteral("identifiers[0]:") << QStringLiteral("unknown identifier kind 'shoe-size'");
        QTest::addRow("received in the future") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.received = QDateTime(QDate(2026, 3, 3), QTime(9, 0), QTimeZone::utc());
        }) << QStringLiteral("received:") << QStringLiteral("in the future");
        QTest::addRow("received before the UK GDPR") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.received = QDateTime(QDate(2018, 5, 24), QTime(12, 0), QTimeZone::utc());
        }) << QStringLiteral("received:") << QStringLiteral("before 25 May 2018");
        QTest::addRow("no contact route") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.requester.email.clear();
            f.requester.phone.clear();
            f.requester.address.clear();
        }) << QStringLiteral("requester:") << QStringLiteral("no contact route");
        QTest::addRow("missing requester name")
            << std::function<void(IntakeForm &)>([](IntakeForm &f) { f.requester.name = QStringLiteral("  "); })
            << QStringLiteral("requester.name:") << QStringLiteral("missing");
        QTest::addRow("acting for someone without relationship") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.actingForSubject = true;
            f.subject.name = QStringLiteral("Daniel Hughes");
        }) << QStringLiteral("relationship:") << QStringLiteral("how the requester is related");
        QTest::addRow("acting for someone without subject name") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.actingForSubject = true;
            f.relationship = QStringLiteral("parent");
        }) << QStringLiteral("subject.name:") << QStringLiteral("missing");
        QTest::addRow("subject given but not acting for them")
            << std::function<void(IntakeForm &)>([](IntakeForm &f) { f.subject.name = QStringLiteral("Daniel Hughes"); })
            << QStringLiteral("subject:") << QStringLiteral("not marked");
    }

    void invalidField()
    {
        QFETCH(std::function<void(IntakeForm &)>, mutate);
        QFETCH(QString, field);
        QFETCH(QString, phrase);
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        mutate(form);
        Result<IntakeForm> result = IntakeValidator(m_now).validate(form);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, ErrorCode::Invalid);
        const QStringList details = result.error().details;
        const bool found = std::any_of(details.cbegin(), details.cend(),
            [&](const QString &line) { return line.startsWith(field) && line.contains(phrase); });
        QVERIFY2(found,
            qPrintable(
                QStringLiteral("expected a line '%1 ... %2' in:\n%3").arg(field, phrase, details.join(QLatin1Char('\n')))));
    }

    void everyProblemReportedAtOnce()
    {
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        form.right = QStringLiteral("nope");
        form.channel = QStringLiteral("fax");
        form.requester.email = QStringLiteral("bad");
        Result<IntakeForm> result = IntakeValidator(m_now).validate(form);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().details.size(), 3);
        QVERIFY(result.error().message.contains(QStringLiteral("3 problems")));
    }

    void receivedWithinClockSkewIsAccepted()
    {
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        form.received = m_now.addSecs(IntakeValidator::kAllowedClockSkewSecs);
        QVERIFY(IntakeValidator(m_now).validate(form).ok());
        form.received = m_now.addSecs(IntakeValidator::kAllowedClockSkewSecs + 1);
        QVERIFY(!IntakeValidator(m_now).validate(form).ok());
    }

    void formats_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("valid");
        QTest::addRow("postcode L20 7AB") << QStringLiteral("postcode") << QStringLiteral("L20 7AB") << true;
        QTest::addRow("postcode lower, no space") << QStringLiteral("postcode") << QStringLiteral("pr81da") << true;
        QTest::addRow("postcode EC1A 1BB") << QStringLiteral("postcode") << QStringLiteral("EC1A 1BB") << true;
        QTest::addRow("postcode W1A 0AX") << QStringLiteral("postcode") << QStringLiteral("W1A 0AX") << true;
        QTest::addRow("postcode GIR 0AA") << QStringLiteral("postcode") << QStringLiteral("GIR 0AA") << true;
        QTest::addRow("postcode US zip") << QStringLiteral("postcode") << QStringLiteral("90210") << false;
        QTest::addRow("postcode Q first") << QStringLiteral("postcode") << QStringLiteral("Q1 1AA") << false;
        QTest::addRow("NI spaced") << QStringLiteral("ni-number") << QStringLiteral("AB 12 34 56 C") << true;
        QTest::addRow("NI compact lower") << QStringLiteral("ni-number") << QStringLiteral("ab123456d") << true;
        QTest::addRow("NI prefix D") << QStringLiteral("ni-number") << QStringLiteral("DA123456A") << false;
        QTest::addRow("NI second O") << QStringLiteral("ni-number") << QStringLiteral("AO123456A") << false;
        QTest::addRow("NI prefix TN") << QStringLiteral("ni-number") << QStringLiteral("TN123456A") << false;
        QTest::addRow("NI five digits") << QStringLiteral("ni-number") << QStringLiteral("AB12345A") << false;
        QTest::addRow("email plain") << QStringLiteral("email") << QStringLiteral("a.b@council.gov.uk") << true;
        QTest::addRow("email two @") << QStringLiteral("email") << QStringLiteral("a@b@c.uk") << false;
        QTest::addRow("email space") << QStringLiteral("email") << QStringLiteral("a b@c.uk") << false;
        QTest::addRow("phone UK") << QStringLiteral("phone") << QStringLiteral("0345 140 0845") << true;
        QTest::addRow("phone intl") << QStringLiteral("phone") << QStringLiteral("+44 (0)151 934 4000") << true;
        QTest::addRow("phone short") << QStringLiteral("phone") << QStringLiteral("123") << false;
    }

    void formats()
    {
        QFETCH(QString, kind);
        QFETCH(QString, value);
        QFETCH(bool, valid);
        bool actual = false;
        if (kind == QLatin1String("postcode"))
            actual = IntakeValidator::isUkPostcode(value);
        else if (kind == QLatin1String("ni-number"))
            actual = IntakeValidator::isNiNumber(value);
        else if (kind == QLatin1String("email"))
            actual = IntakeValidator::isEmail(value);
        else
            actual = IntakeValidator::isPhoneNumber(value);
        QCOMPARE(actual, valid);
    }

    void normalisation_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addRow("email case") << QStringLiteral("email") << QStringLiteral("M.Ellis@Example.org")
                                    << QStringLiteral(" m.ellis@example.org");
        QTest::addRow("postcode spacing") << QStringLiteral("postcode") << QStringLiteral("l20 7ab") << QStringLiteral("L207AB");
        QTest::addRow("NI spacing") << QStringLiteral("ni-number") << QStringLiteral("ab 12 34 56 c")
                                    << QStringLiteral("AB123456C");
        QTest::addRow("phone +44") << QStringLiteral("phone") << QStringLiteral("+44 151 934 4000")
                                   << QStringLiteral("0151-934-4000");
        QTest::addRow("name spacing") << QStringLiteral("name") << QStringLiteral("Margaret  Ellis")
                                      << QStringLiteral("margaret ellis");
    }

    void normalisation()
    {
        QFETCH(QString, kind);
        QFETCH(QString, a);
        QFETCH(QString, b);
        QCOMPARE(IntakeValidator::normalizeIdentifier(kind, a), IntakeValidator::normalizeIdentifier(kind, b));
    }

    // Through the engine: a rejected form leaves no trace in the register.
    void rejectedFormWritesNothing()
    {
        test::Fixture fx;
        QVERIFY(fx.setUp());
        const qsizetype eventsBefore = fx.store->verifyAudit()->eventsChecked;
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        form.requester.postcode = QStringLiteral("nowhere");
        QVERIFY(!fx.engine->fileRequest(form, QStringLiteral("intake")).ok());
        form = test::sampleForm(QStringLiteral("access"), QStringLiteral("nobody"));
        Result<FiledRequest> unknownAssignee = fx.engine->fileRequest(form, QStringLiteral("intake"));
        QVERIFY(!unknownAssignee.ok());
        QVERIFY(unknownAssignee.error().message.startsWith(QStringLiteral("assignee:")));
        QCOMPARE(fx.store->listRequests({})->size(), 0);
        QCOMPARE(fx.store->verifyAudit()->eventsChecked, eventsBefore);
        // The reference counter was not advanced either: the next is 000001.
        Result<FiledRequest> filed = fx.engine->fileRequest(test::sampleForm(QStringLiteral("access")), QStringLiteral("intake"));
        QVERIFY(filed.ok());
        QCOMPARE(filed->request.reference, QStringLiteral("DSR-2026-000001"));
    }

    void duplicates_data()
    {
        QTest::addColumn<std::function<void(IntakeForm &)>>("second");
        QTest::addColumn<bool>("flagged");
        QTest::addRow("same email, other case") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.requester = Person {QStringLiteral("M Ellis"), QStringLiteral("M.ELLIS@example.org"), {}, {}, {}};
        }) << true;
        QTest::addRow("same name and postcode") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.requester
                = Person {QStringLiteral("margaret ellis"), {}, QStringLiteral("0151 000 0000"), {}, QStringLiteral("l207ab")};
        }) << true;
        QTest::addRow("same name only") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.requester = Person {
                QStringLiteral("Margaret Ellis"), QStringLiteral("other@example.org"), {}, {}, QStringLiteral("PR8 1DA")};
        }) << false;
        QTest::addRow("same NI number") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.requester = Person {QStringLiteral("Maggie E"), QStringLiteral("maggie@example.net"), {}, {}, {}};
            f.identifiers = {Identifier {QStringLiteral("ni-number"), QStringLiteral("ab 12 34 56 c")}};
        }) << true;
        QTest::addRow("other right") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.right = QStringLiteral("erasure");
        }) << false;
        QTest::addRow("outside the window") << std::function<void(IntakeForm &)>([](IntakeForm &f) {
            f.received = QDateTime(QDate(2026, 4, 10), QTime(9, 0), QTimeZone::utc());
        }) << false;
    }

    void duplicates()
    {
        QFETCH(std::function<void(IntakeForm &)>, second);
        QFETCH(bool, flagged);
        test::Fixture fx;
        QVERIFY(fx.setUp());
        IntakeForm first = test::sampleForm(QStringLiteral("access"));
        first.identifiers = {Identifier {QStringLiteral("ni-number"), QStringLiteral("AB123456C")}};
        Result<FiledRequest> a = fx.engine->fileRequest(first, QStringLiteral("intake"));
        QVERIFY(a.ok());
        QVERIFY(a->possibleDuplicates.isEmpty());
        fx.clock->set(QDateTime(QDate(2026, 4, 11), QTime(9, 0), QTimeZone::utc()));
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        form.received = QDateTime(QDate(2026, 3, 20), QTime(9, 0), QTimeZone::utc());
        second(form);
        Result<FiledRequest> b = fx.engine->fileRequest(form, QStringLiteral("intake"));
        QVERIFY2(b.ok(), qPrintable(b.ok() ? QString() : b.error().fullText()));
        QCOMPARE(b->possibleDuplicates.contains(a->request.reference), flagged);
        // Flagged, never refused: the request is in the register either way.
        Result<Request> stored = fx.engine->request(b->request.reference);
        QVERIFY(stored.ok());
        QCOMPARE(stored->possibleDuplicateOf.contains(a->request.reference), flagged);
    }

    // Every one-line field refuses what could forge a line of output or drive
    // a terminal, names the field, and never echoes the character.
    void oneLineFieldsRefuseControls_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("hazard");
        QTest::addColumn<QString>("named");
        const std::pair<const char *, QString> hazards[] = {
            {"ESC (retitles a terminal)", QStringLiteral("\x1b]0;owned\x07")},
            {"BEL", QStringLiteral("\x07")},
            {"CR", QStringLiteral("\r")},
            {"LF", QStringLiteral("\n")},
            {"tab", QStringLiteral("\t")},
            {"DEL", QStringLiteral("\x7f")},
            {"C1 NEL", QStringLiteral("\u0085")},
            {"C1 CSI", QStringLiteral("\u009b")},
            {"right-to-left override", QStringLiteral("\u202e")},
            {"first strong isolate", QStringLiteral("\u2068")},
            {"line separator", QStringLiteral("\u2028")},
            {"paragraph separator", QStringLiteral("\u2029")},
            {"NUL", QString(QChar(0))},
        };
        const char *fields[] = {"requester.name", "requester.email", "requester.phone", "requester.postcode", "subject.name",
            "relationship", "assignee", "identifiers[0] (account)"};
        for (const char *field : fields)
            for (const auto &[label, hazard] : hazards)
                QTest::addRow("%s: %s", field, label) << QString::fromLatin1(field) << hazard << QString::fromLatin1(field);
    }

    void oneLineFieldsRefuseControls()
    {
        QFETCH(QString, field);
        QFETCH(QString, hazard);
        QFETCH(QString, named);
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        form.actingForSubject = true;
        form.subject.name = QStringLiteral("Daniel Hughes");
        form.relationship = QStringLiteral("parent");
        form.identifiers.append(Identifier {QStringLiteral("account"), QStringLiteral("CT-1001")});
        form.requester.phone = QStringLiteral("0151 934 4000");
        form.requester.postcode = QStringLiteral("L207AB"); // room for the longest hazard within the 16
        QCOMPARE(problemsWith(form), QStringList()); // the form is fine before the hazard goes in
        QHash<QString, QString *> at {{QStringLiteral("requester.name"), &form.requester.name},
            {QStringLiteral("requester.email"), &form.requester.email},
            {QStringLiteral("requester.phone"), &form.requester.phone},
            {QStringLiteral("requester.postcode"), &form.requester.postcode},
            {QStringLiteral("subject.name"), &form.subject.name}, {QStringLiteral("relationship"), &form.relationship},
            {QStringLiteral("assignee"), &form.assignee},
            {QStringLiteral("identifiers[0] (account)"), &form.identifiers[0].value}};
        QString *value = at.value(field);
        QVERIFY(value);
        value->insert(1, hazard);
        const QStringList problems = problemsWith(form);
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems.constFirst().startsWith(named + QStringLiteral(": holds ")), qPrintable(problems.constFirst()));
        QVERIFY2(problems.constFirst().contains(QStringLiteral("at character 2")), qPrintable(problems.constFirst()));
        for (const QChar c : hazard) {
            const char16_t u = c.unicode();
            if (u < 0x20 || (u >= 0x7f && u <= 0x9f) || u >= 0x2000)
                QVERIFY2(!problems.constFirst().contains(c), "the refusal repeats the character it refuses");
        }
    }

    // Multi-line fields take line feeds (a note also tabs), nothing else.
    void multiLineFields_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("scope");
        QTest::addColumn<QString>("problem");
        QTest::addRow("address lines") << QStringLiteral("Flat 2\nThe Limes\nBootle") << QString() << QString();
        QTest::addRow("address with CR") << QStringLiteral("Flat 2\r\nThe Limes") << QString()
                                         << QStringLiteral("requester.address: holds a carriage return at character 7");
        QTest::addRow("address with tab") << QStringLiteral("Flat 2\tThe Limes") << QString()
                                          << QStringLiteral("requester.address: holds a tab");
        QTest::addRow("address with ESC") << QStringLiteral("Flat 2\x1b[2J") << QString()
                                          << QStringLiteral("requester.address: holds the escape character U+001B");
        QTest::addRow("scope lines and tabs") << QString() << QStringLiteral("Council tax:\n\t2019 to 2026") << QString();
        QTest::addRow("scope with BEL") << QString() << QStringLiteral("All\x07")
                                        << QStringLiteral("scope: holds the control character U+0007");
        QTest::addRow("scope with override") << QString() << QStringLiteral("All \u202egnp.exe")
                                             << QStringLiteral("scope: holds the text direction control U+202E");
    }

    void multiLineFields()
    {
        QFETCH(QString, address);
        QFETCH(QString, scope);
        QFETCH(QString, problem);
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        form.requester.address = address;
        form.scope = scope;
        const QStringList problems = problemsWith(form);
        if (problem.isEmpty()) {
            QCOMPARE(problems, QStringList());
            return;
        }
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems.constFirst().startsWith(problem), qPrintable(problems.constFirst()));
    }

    void lengthLimits_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("limit");
        QTest::addRow("name") << QStringLiteral("requester.name") << 200;
        QTest::addRow("address") << QStringLiteral("requester.address") << 1000;
        QTest::addRow("relationship") << QStringLiteral("relationship") << 200;
        QTest::addRow("account identifier") << QStringLiteral("identifiers[0] (account)") << 100;
        QTest::addRow("scope") << QStringLiteral("scope") << 20000;
    }

    // At the limit a field is taken; one character more, or 130,000, is not.
    void lengthLimits()
    {
        QFETCH(QString, field);
        QFETCH(int, limit);
        for (const int length : {limit, limit + 1, 130000}) {
            IntakeForm form = test::sampleForm(QStringLiteral("access"));
            form.actingForSubject = true;
            form.subject.name = QStringLiteral("Daniel Hughes");
            form.relationship = QStringLiteral("parent");
            form.identifiers.append(Identifier {QStringLiteral("account"), QStringLiteral("CT")});
            const QString text = QString(length, QLatin1Char('x'));
            if (field == QLatin1String("requester.name"))
                form.requester.name = text;
            else if (field == QLatin1String("requester.address"))
                form.requester.address = text;
            else if (field == QLatin1String("relationship"))
                form.relationship = text;
            else if (field == QLatin1String("scope"))
                form.scope = text;
            else
                form.identifiers[0].value = text;
            const QStringList problems = problemsWith(form);
            if (length == limit) {
                QCOMPARE(problems, QStringList());
                continue;
            }
            QCOMPARE(problems.size(), 1);
            QCOMPARE(problems.constFirst(),
                QStringLiteral("%1: %2 characters is more than the %3 it may hold; shorten it")
                    .arg(field)
                    .arg(length)
                    .arg(limit));
        }
        // Fields whose format is fixed refuse an over-long value before it is parsed.
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        form.requester.email = QString(250, QLatin1Char('a')) + QStringLiteral("@example.org");
        form.requester.phone = QString(41, QLatin1Char('0'));
        form.requester.postcode = QString(17, QLatin1Char('L'));
        const QStringList problems = problemsWith(form);
        QCOMPARE(problems.size(), 3);
        QVERIFY2(problems.at(0).startsWith(QStringLiteral("requester.email: 262 characters is more than the 254")),
            qPrintable(problems.at(0)));
        QVERIFY2(problems.at(1).startsWith(QStringLiteral("requester.phone: 41 characters is more than the 40")),
            qPrintable(problems.at(1)));
        QVERIFY2(problems.at(2).startsWith(QStringLiteral("requester.postcode: 17 characters is more than the 16")),
            qPrintable(problems.at(2)));
    }

    // The mailer's own rule (TestSmtp sends every address accepted here).
    void emailAddresses_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("accepted");
        QTest::addColumn<QString>("why");
        for (const test::EmailAddressCase &c : test::emailAddressCases())
            QTest::addRow("%s", c.label) << c.address << c.accepted << c.why;
    }

    void emailAddresses()
    {
        QFETCH(QString, address);
        QFETCH(bool, accepted);
        QFETCH(QString, why);
        IntakeForm form = test::sampleForm(QStringLiteral("access"));
        form.requester.email = address;
        form.identifiers.append(Identifier {QStringLiteral("email"), address});
        const QStringList problems = problemsWith(form);
        QCOMPARE(IntakeValidator::isEmail(address), accepted);
        if (accepted) {
            QCOMPARE(problems, QStringList());
            return;
        }
        QCOMPARE(problems.size(), 2);
        QVERIFY2(problems.at(0).startsWith(QStringLiteral("requester.email: ")) && problems.at(0).contains(why),
            qPrintable(problems.at(0)));
        QVERIFY2(problems.at(1).startsWith(QStringLiteral("identifiers[0] (email): ")) && problems.at(1).contains(why),
            qPrintable(problems.at(1)));
    }
};

QTEST_GUILESS_MAIN(TestIntake)
#include "TestIntake.moc"
