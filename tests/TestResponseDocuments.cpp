// SPDX-License-Identifier: GPL-3.0-or-later
// ResponseDocuments: the covering letter of an access or portability response
// (HTML and PDF) and the README.html of the bundle, rendered from summaries
// built on the shipped example processing register and exemption list. The PDF
// is read back with pdftotext, as a requester's software would; it must be
// byte-for-byte reproducible for a given stamp; every piece of data is
// HTML-escaped; README.html stands alone.
//
// Not tested: letterPdf() without a QGuiApplication. The check needs a process
// without one, and this suite runs a QGuiApplication for the PDF tests.

#include "bundle/Exemptions.h"
#include "bundle/ProcessingRegister.h"
#include "bundle/ResponseDocuments.h"

#include <QGuiApplication>

#include <QFile>
#include <QHashSeed>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <cstdlib>
#include <ctime>

using namespace rf;
using namespace Qt::StringLiterals;

namespace {

const QString kReference = u"DSR-2026-000123"_s;

SupplementaryInformation exampleInformation(const QStringList &ids)
{
    const Result<ProcessingRegister> loaded
        = ProcessingRegister::load(QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/resources/processing-register.example.json"));
    if (!loaded) {
        qWarning("%s", qPrintable(loaded.error().fullText()));
        return {};
    }
    const Result<SupplementaryInformation> info = loaded->supplementaryInformation(ids);
    if (!info) {
        qWarning("%s", qPrintable(info.error().fullText()));
        return {};
    }
    return *info;
}

const Exemption &exemption(const QString &id)
{
    const Exemption *found = ExemptionList::shipped().find(id);
    if (!found)
        qFatal("no exemption %s in the shipped list", qPrintable(id));
    return *found;
}

EnclosedFile dataFile(const QString &path, const SystemDisclosure &system, int records, const QList<DataColumn> &columns)
{
    EnclosedFile file;
    file.path = path;
    file.kind = u"data"_s;
    file.sourceId = system.systemId;
    file.sourceName = system.systemName;
    file.category = u"Records"_s;
    file.size = 1234;
    file.records = records;
    file.columns = columns;
    return file;
}

// An access response: data in three systems of the example register, one item
// withheld, one document redacted, one disclosed, and a JSON + CSV pair per
// system with data.
ResponseSummary accessSummary()
{
    ResponseSummary s;
    s.reference = kReference;
    s.right = u"access"_s;
    s.received = QDate(2026, 11, 3);
    s.letterDate = QDate(2026, 11, 27);
    s.due = QDate(2026, 12, 3);
    s.addresseeName = u"Jane Doe"_s;
    s.addresseeAddress = u"12 Mill Lane\nExampleton"_s;
    s.addresseePostcode = u"XX2 3BB"_s;
    s.addresseeEmail = u"jane@example.org"_s;
    s.subjectName = s.addresseeName;
    s.scope = u"Everything about my council tax account and my calls to the contact centre since 2024"_s;
    s.officerName = u"Sam Patel, Information Governance Officer"_s;
    s.info = exampleInformation({u"council-tax"_s, u"call-recordings"_s, u"crm"_s});
    s.systemsSearched = s.info.systems;
    if (s.info.systems.size() != 3)
        return s;
    const SystemDisclosure &councilTax = s.info.systems.at(0);
    const SystemDisclosure &calls = s.info.systems.at(1);
    const SystemDisclosure &crm = s.info.systems.at(2);

    EnclosedFile bill;
    bill.path = u"documents/Council tax bill 2025.pdf"_s;
    bill.kind = u"document"_s;
    bill.sourceId = councilTax.systemId;
    bill.sourceName = councilTax.systemName;
    bill.category = u"Bills"_s;
    bill.date = QDate(2025, 3, 10);
    bill.size = 48213;
    bill.disposition = u"redacted"_s;
    const Exemption &crime = exemption(u"crime-and-taxation"_s);
    bill.exemptionTitle = crime.title;
    bill.exemptionProvision = crime.provision;
    bill.exemptionLetter = crime.letter;

    EnclosedFile call;
    call.path = u"documents/Call recording 2026-10-02.mp3"_s;
    call.kind = u"document"_s;
    call.sourceId = calls.systemId;
    call.sourceName = calls.systemName;
    call.category = u"Call recording"_s;
    call.date = QDate(2026, 10, 2);
    call.size = 2 * 1024 * 1024;
    call.disposition = u"disclosed"_s;
    s.documents = {bill, call};

    const QList<DataColumn> accountColumns {
        {u"account_reference"_s, u"Your council tax account number"_s},
        {u"property_address"_s, u"The home the account is for"_s},
        {u"liable_from"_s, u"The date you became liable for council tax at the home"_s},
        {u"band"_s, u"The council tax band set by the Valuation Office Agency"_s},
    };
    const QList<DataColumn> contactColumns {
        {u"contact_date"_s, u"When you contacted us"_s},
        {u"channel"_s, u"How you contacted us: telephone, e-mail, webchat, in person"_s},
        {u"summary"_s, u"What the contact was about"_s},
    };
    s.dataFiles = {dataFile(u"data/council-tax.json"_s, councilTax, 3, accountColumns),
        dataFile(u"data/council-tax.csv"_s, councilTax, 3, accountColumns), dataFile(u"data/crm.json"_s, crm, 17, contactColumns),
        dataFile(u"data/crm.csv"_s, crm, 17, contactColumns)};

    WithheldEntry withheld;
    withheld.item = 7;
    withheld.sourceId = councilTax.systemId;
    withheld.sourceName = councilTax.systemName;
    withheld.category = u"Correspondence"_s;
    withheld.date = QDate(2025, 6, 14);
    const Exemption &thirdParty = exemption(u"third-party"_s);
    withheld.exemptionTitle = thirdParty.title;
    withheld.exemptionProvision = thirdParty.provision;
    withheld.exemptionLetter = thirdParty.letter;
    s.withheld = {withheld};
    return s;
}

// A portability response: the bulky waste booking (contract) is portable; the
// council tax account (legal obligation) is not.
ResponseSummary portabilitySummary()
{
    ResponseSummary s;
    s.reference = u"DSR-2026-000124"_s;
    s.right = u"portability"_s;
    s.received = QDate(2026, 11, 5);
    s.letterDate = QDate(2026, 11, 27);
    s.addresseeName = u"Jane Doe"_s;
    s.addresseeEmail = u"jane@example.org"_s;
    s.subjectName = s.addresseeName;
    s.scope = u"My bulky waste bookings, to move them to a private collector"_s;
    s.officerName = u"Sam Patel"_s;
    s.info = exampleInformation({u"bulky-waste"_s, u"council-tax"_s});
    s.systemsSearched = s.info.systems;
    if (s.info.systems.size() != 2)
        return s;
    const SystemDisclosure &bulky
        = s.info.systems.at(1).systemId == u"bulky-waste"_s ? s.info.systems.at(1) : s.info.systems.at(0);
    const QList<DataColumn> columns {
        {u"booking_reference"_s, u"The reference of the booking"_s},
        {u"collection_date"_s, u"The day of the collection"_s},
        {u"items"_s, u"The items you asked us to collect"_s},
    };
    s.dataFiles
        = {dataFile(u"data/bulky-waste.json"_s, bulky, 2, columns), dataFile(u"data/bulky-waste.csv"_s, bulky, 2, columns)};
    s.portabilityExcluded = {u"Council Tax: bills, payments and arrears"_s,
        u"Bulky waste collection: booking and payment reference, amount paid and refunds"_s};
    return s;
}

QDateTime stamp()
{
    return QDateTime(QDate(2026, 11, 27), QTime(9, 30, 15), Qt::UTC);
}

struct PdfText {
    QString text; // pdftotext's output, whitespace runs collapsed to one space
    QString errors; // anything pdftotext wrote to stderr (it reports damaged files there)
};

PdfText pdfToText(const QByteArray &pdf)
{
    QTemporaryDir dir;
    if (!dir.isValid())
        return {{}, u"no temporary directory"_s};
    const QString path = dir.filePath(u"letter.pdf"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(pdf) != pdf.size())
        return {{}, u"cannot write "_s + path};
    file.close();
    QProcess process;
    process.start(u"/usr/bin/pdftotext"_s, {u"-enc"_s, u"UTF-8"_s, path, u"-"_s});
    if (!process.waitForFinished(60000) || process.exitCode() != 0)
        return {{}, u"pdftotext failed: "_s + QString::fromUtf8(process.readAllStandardError())};
    return {QString::fromUtf8(process.readAllStandardOutput()).simplified(),
        QString::fromUtf8(process.readAllStandardError()).trimmed()};
}

// Every in-use entry of the PDF's cross-reference table points at the object it
// names, and startxref points at the table: what a strict reader relies on.
QString xrefProblem(const QByteArray &pdf)
{
    const qsizetype startxref = pdf.lastIndexOf("startxref\n");
    if (startxref < 0)
        return u"no startxref"_s;
    const qsizetype numberEnd = pdf.indexOf('\n', startxref + 10);
    const qsizetype xref = pdf.mid(startxref + 10, numberEnd - startxref - 10).trimmed().toLongLong();
    if (!pdf.mid(xref).startsWith("xref\n"))
        return u"startxref %1 does not point at the cross-reference table"_s.arg(xref);
    qsizetype pos = xref + 5;
    const qsizetype headerEnd = pdf.indexOf('\n', pos);
    const QList<QByteArray> header = pdf.mid(pos, headerEnd - pos).trimmed().split(' ');
    if (header.size() != 2)
        return u"unexpected cross-reference header"_s;
    const qsizetype first = header.at(0).toLongLong();
    const qsizetype count = header.at(1).toLongLong();
    pos = headerEnd + 1;
    for (qsizetype i = 0; i < count; ++i, pos += 20) {
        const QByteArray entry = pdf.mid(pos, 20);
        if (entry.at(17) != 'n')
            continue;
        const qsizetype offset = entry.left(10).toLongLong();
        const QByteArray expected = QByteArray::number(first + i) + " 0 obj";
        if (!pdf.mid(offset).startsWith(expected))
            return u"object %1 is not at offset %2"_s.arg(first + i).arg(offset);
    }
    return {};
}

// The letter PDF, or an empty array after recording a failure.
QByteArray pdfOf(const ResponseSummary &summary, const QDateTime &when = stamp())
{
    const Result<QByteArray> pdf = ResponseDocuments::letterPdf(summary, when);
    if (!pdf) {
        qWarning("%s", qPrintable(pdf.error().fullText()));
        return {};
    }
    return *pdf;
}

// Sets the process time zone for one scope, so Qt's PDF writer sees a local
// offset other than zero.
class TimeZoneOverride
{
public:
    explicit TimeZoneOverride(const QByteArray &zone)
        : m_hadZone(qEnvironmentVariableIsSet("TZ"))
        , m_previous(qgetenv("TZ"))
    {
        qputenv("TZ", zone);
        tzset();
    }
    ~TimeZoneOverride()
    {
        if (m_hadZone)
            qputenv("TZ", m_previous);
        else
            qunsetenv("TZ");
        tzset();
    }
    TimeZoneOverride(const TimeZoneOverride &) = delete;
    TimeZoneOverride &operator=(const TimeZoneOverride &) = delete;

private:
    bool m_hadZone;
    QByteArray m_previous;
};

} // namespace

class TestResponseDocuments : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // The PDF tests below mean nothing without the application letterPdf() needs.
        QVERIFY(qobject_cast<QGuiApplication *>(QCoreApplication::instance()));
        QVERIFY(QFile::exists(u"/usr/bin/pdftotext"_s));
        QCOMPARE(accessSummary().info.systems.size(), 3);
        QCOMPARE(portabilitySummary().info.systems.size(), 2);
    }

    void accessLetterHeadings()
    {
        const QStringList expected {u"Your subject access request"_s, u"What we searched"_s, u"What we are sending you"_s,
            u"What we have withheld and why"_s, u"How we use your personal information"_s, u"(a) Why we use your data"_s,
            u"(b) The kinds of personal data"_s, u"(c) Who we share it with"_s, u"(d) How long we keep it"_s,
            u"(e) Your other rights"_s, u"(f) Your right to complain to the ICO"_s, u"(g) Where we got your data"_s,
            u"(h) Automated decision-making"_s, u"How to contact us"_s};
        const ResponseSummary summary = accessSummary();
        QCOMPARE(ResponseDocuments::letterHeadings(summary), expected);
        // Each is a heading element of the HTML, in that order.
        const QString html = ResponseDocuments::letterHtml(summary);
        static const QRegularExpression headingElement(u"<h([1-3])>([^<]*)</h\\1>"_s);
        QStringList found;
        for (QRegularExpressionMatchIterator it = headingElement.globalMatch(html); it.hasNext();)
            found << it.next().captured(2);
        QCOMPARE(found, expected);
    }

    void portabilityLetterHeadings()
    {
        const QStringList expected {u"Your data portability request"_s, u"What we searched"_s, u"What we are sending you"_s,
            u"What is included"_s, u"What is not included and why"_s, u"Moving your data to another organisation"_s,
            u"Your right to complain to the ICO"_s, u"How to contact us"_s};
        QCOMPARE(ResponseDocuments::letterHeadings(portabilitySummary()), expected);
    }

    void letterPdfHoldsTheLetter_data()
    {
        QTest::addColumn<ResponseSummary>("summary");
        QTest::addColumn<QStringList>("phrases");
        const ResponseSummary access = accessSummary();
        QTest::addRow("access") << access
                                << QStringList {kReference, u"Jane Doe"_s, u"Information Commissioner's Office"_s,
                                       u"Information about other people"_s, u"Crime and taxation"_s,
                                       u"DPA 2018 Schedule 2, Part 3, paragraph 16"_s, u"Your request of 3 November 2026"_s,
                                       u"27 November 2026"_s, u"Example Borough Council"_s, u"dpo@example-council.gov.uk"_s,
                                       u"Page 1 of"_s};
        QTest::addRow("portability") << portabilitySummary()
                                     << QStringList {u"DSR-2026-000124"_s, u"Jane Doe"_s, u"Information Commissioner's Office"_s,
                                            u"data/bulky-waste.json"_s, u"data/bulky-waste.csv"_s, u"Article 20(3)"_s};
        ResponseSummary acting = access;
        acting.addresseeName = u"Priya Shah, Shah & Co Solicitors"_s;
        acting.subjectName = u"Jane Doe"_s;
        acting.actingForSubject = true;
        QTest::addRow("acting for the subject")
            << acting
            << QStringList {kReference, u"Priya Shah, Shah & Co Solicitors"_s, u"on behalf of Jane Doe"_s, u"is about Jane Doe"_s,
                   u"Information Commissioner's Office"_s, u"Information about other people"_s};
    }

    void letterPdfHoldsTheLetter()
    {
        QFETCH(ResponseSummary, summary);
        QFETCH(QStringList, phrases);
        const QByteArray pdf = pdfOf(summary);
        QVERIFY(pdf.startsWith("%PDF-"));
        const PdfText read = pdfToText(pdf);
        QVERIFY2(read.errors.isEmpty(), qPrintable(read.errors));
        const QStringList headings = ResponseDocuments::letterHeadings(summary);
        QVERIFY(!headings.isEmpty());
        for (const QString &heading : headings)
            QVERIFY2(read.text.contains(heading), qPrintable(u"heading missing from the PDF: "_s + heading));
        for (const QString &phrase : std::as_const(phrases))
            QVERIFY2(read.text.contains(phrase), qPrintable(u"missing from the PDF: "_s + phrase));
        QVERIFY(pdf.contains("/Creator"));
        QVERIFY2(xrefProblem(pdf).isEmpty(), qPrintable(xrefProblem(pdf)));
    }

    void sameStampGivesSameBytes()
    {
        const ResponseSummary summary = accessSummary();
        const QByteArray first = pdfOf(summary);
        QVERIFY(!first.isEmpty());
        QCOMPARE(pdfOf(summary), first);
        QVERIFY(first.contains("/CreationDate (D:20261127093015Z)"));

        const QByteArray later = pdfOf(summary, stamp().addSecs(1));
        QVERIFY(!later.isEmpty());
        QVERIFY(later != first);
        QVERIFY(later.contains("/CreationDate (D:20261127093016Z)"));
        // The stamp is written in UTC, whatever zone it is given in.
        const QDateTime london(QDate(2026, 7, 1), QTime(10, 0), QTimeZone("Europe/London"));
        QVERIFY(pdfOf(summary, london).contains("/CreationDate (D:20260701090000Z)"));
    }

    // Qt writes the current time with the local offset ("+05'45'"), which is
    // longer than "Z": the stamp replaces it, the objects after it move, and the
    // cross-reference table must follow them.
    void bytesDoNotDependOnTheLocalTimeZone_data()
    {
        QTest::addColumn<QByteArray>("zone");
        QTest::addRow("Kathmandu") << QByteArray("Asia/Kathmandu");
        QTest::addRow("New York") << QByteArray("America/New_York");
        QTest::addRow("UTC") << QByteArray("UTC");
    }

    void bytesDoNotDependOnTheLocalTimeZone()
    {
        QFETCH(QByteArray, zone);
        const ResponseSummary summary = accessSummary();
        QByteArray inUtc;
        {
            TimeZoneOverride utc("UTC");
            inUtc = pdfOf(summary);
        }
        QVERIFY(!inUtc.isEmpty());
        TimeZoneOverride local(zone);
        if (zone != "UTC")
            QVERIFY2(QDateTime::currentDateTime().offsetFromUtc() != 0, "the zone override did not reach Qt");
        const QByteArray pdf = pdfOf(summary);
        QVERIFY2(xrefProblem(pdf).isEmpty(), qPrintable(xrefProblem(pdf)));
        QCOMPARE(pdf, inUtc);
        const PdfText read = pdfToText(pdf);
        QVERIFY2(read.errors.isEmpty(), qPrintable(read.errors));
        QVERIFY(read.text.contains(kReference));
    }

    // Qt's PDF writer writes its fonts in QHash order, which depends on the
    // process's hash seed: a letter with more than one font face would differ
    // from run to run. Render under several seeds, as separate processes would.
    void bytesDoNotDependOnTheHashSeed()
    {
        const ResponseSummary summary = accessSummary();
        QHashSeed::setDeterministicGlobalSeed();
        const QByteArray reference = pdfOf(summary);
        QVERIFY(!reference.isEmpty());
        QCOMPARE(reference.count("/FontFile2"), 1);
        for (int round = 0; round < 8; ++round) {
            QHashSeed::resetRandomGlobalSeed();
            QCOMPARE(pdfOf(summary), reference);
        }
    }

    void accentedNamesSurviveIntoThePdf()
    {
        ResponseSummary summary = accessSummary();
        const QString accented = u"Zoë Ångström-Łukasiewicz Σοφία İnönü"_s;
        const QString emoji = u"\U0001F600"_s;
        summary.addresseeName = accented + u' ' + emoji;
        summary.subjectName = summary.addresseeName;
        const QByteArray pdf = pdfOf(summary);
        const PdfText read = pdfToText(pdf);
        QVERIFY2(read.errors.isEmpty(), qPrintable(read.errors));
        QVERIFY2(read.text.contains(u"Dear "_s + accented), qPrintable(read.text.left(600)));
        // The emoji is drawn (DejaVu Sans has it) but cannot be extracted: Qt 6.4's
        // PDF writer maps glyphs back to text (the ToUnicode map) for the Basic
        // Multilingual Plane only. So the letter HTML and the README keep it.
        QVERIFY(ResponseDocuments::letterHtml(summary).contains(emoji));
        QVERIFY(QString::fromUtf8(ResponseDocuments::readmeHtml(summary)).contains(accented + u' ' + emoji));
    }

    void dataIsEscaped_data()
    {
        QTest::addColumn<bool>("readme");
        QTest::addRow("letter") << false;
        QTest::addRow("README.html") << true;
    }

    // Markup in any piece of data arrives as text. Each row names the data a
    // document shows; all of it must be there, escaped, and none of it raw.
    void dataIsEscaped()
    {
        QFETCH(bool, readme);
        ResponseSummary summary = accessSummary();
        summary.addresseeName = u"<script>alert(1)</script>"_s;
        summary.subjectName = u"<b>Subject</b>"_s;
        summary.actingForSubject = true;
        summary.scope = u"All records \"quoted\" & <i>tagged</i>"_s;
        summary.documents[1].path = u"documents/<img src=x onerror=alert(2)>.mp3"_s;
        summary.dataFiles[0].columns[0].description = u"<svg onload=alert(3)>"_s;
        summary.withheld[0].category = u"<iframe>"_s;
        summary.info.controller.name = u"Council <em>of</em> Examples"_s;
        summary.info.dpo.email = u"dpo+<u>x</u>@example.org"_s;
        const QString html
            = readme ? QString::fromUtf8(ResponseDocuments::readmeHtml(summary)) : ResponseDocuments::letterHtml(summary);
        QStringList shown {summary.addresseeName, summary.subjectName, summary.documents.at(1).path,
            summary.withheld.at(0).category, summary.info.controller.name, summary.info.dpo.email};
        if (readme)
            shown << summary.dataFiles.at(0).columns.at(0).description;
        else
            shown << summary.scope;
        for (const QString &text : std::as_const(shown)) {
            QVERIFY2(!html.contains(text), qPrintable(u"unescaped: "_s + text));
            QVERIFY2(html.contains(text.toHtmlEscaped()), qPrintable(u"missing: "_s + text.toHtmlEscaped()));
        }
        QVERIFY(!html.contains(u"<script"_s));
    }

    void readmeStandsAlone_data()
    {
        QTest::addColumn<ResponseSummary>("summary");
        QTest::addRow("access") << accessSummary();
        QTest::addRow("portability") << portabilitySummary();
    }

    void readmeStandsAlone()
    {
        QFETCH(ResponseSummary, summary);
        const QByteArray bytes = ResponseDocuments::readmeHtml(summary);
        const QString html = QString::fromUtf8(bytes);
        QCOMPARE(html.toUtf8(), bytes); // valid UTF-8
        QVERIFY(html.startsWith(u"<!DOCTYPE html>"_s));
        QVERIFY(html.contains(u"<meta charset=\"utf-8\">"_s));
        QVERIFY(html.contains(u"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"_s));
        QVERIFY(html.contains(u"<style>"_s));
        for (const QString &forbidden :
            {u"<script"_s, u"<link"_s, u"url("_s, u"@import"_s, u"http://"_s, u"https://"_s, u"<img"_s, u"<iframe"_s}) {
            QVERIFY2(!html.contains(forbidden, Qt::CaseInsensitive), qPrintable(u"README.html contains "_s + forbidden));
        }
        QVERIFY(html.contains(summary.reference));
        for (const QString &file : {u"letter.pdf"_s, u"manifest.json"_s, u"SHA-256"_s})
            QVERIFY2(html.contains(file), qPrintable(file));
        for (const EnclosedFile &document : std::as_const(summary.documents))
            QVERIFY2(html.contains(document.path.toHtmlEscaped()), qPrintable(document.path));
        QVERIFY(!summary.dataFiles.isEmpty());
        for (const EnclosedFile &data : std::as_const(summary.dataFiles)) {
            QVERIFY2(html.contains(data.path.toHtmlEscaped()), qPrintable(data.path));
            const QString records = QString::number(data.records) + (data.records == 1 ? u" record"_s : u" records"_s);
            QVERIFY2(html.contains(records), qPrintable(records));
            for (const DataColumn &column : data.columns) {
                QVERIFY2(html.contains(u"<code>"_s + column.name.toHtmlEscaped() + u"</code>"_s), qPrintable(column.name));
                QVERIFY2(html.contains(column.description.toHtmlEscaped()), qPrintable(column.description));
            }
        }
        QVERIFY(html.contains(summary.info.complaints.name.toHtmlEscaped()));
        QVERIFY(html.contains(summary.info.dpo.email.toHtmlEscaped()));
    }

    // The README explains decisions in the letter's own words.
    void readmeAndLetterGiveTheSameReasons()
    {
        const ResponseSummary summary = accessSummary();
        const QString readme = QString::fromUtf8(ResponseDocuments::readmeHtml(summary));
        const QString letter = ResponseDocuments::letterHtml(summary);
        static const QRegularExpression section(
            u"What we have withheld and why</h2>\n(.*?)<h[1-3]>"_s, QRegularExpression::DotMatchesEverythingOption);
        const QString inLetter = section.match(letter).captured(1);
        const QString inReadme = section.match(readme).captured(1);
        QVERIFY(!inLetter.isEmpty());
        QCOMPARE(inReadme, inLetter);
        for (const QString &phrase : {u"Item 7"_s, u"Council Tax, Correspondence, dated 14 June 2025"_s,
                 exemption(u"third-party"_s).letter.toHtmlEscaped(), exemption(u"crime-and-taxation"_s).letter.toHtmlEscaped(),
                 u"documents/Council tax bill 2025.pdf"_s, u"DPA 2018 Schedule 2, Part 1, paragraph 2"_s}) {
            QVERIFY2(inLetter.contains(phrase), qPrintable(phrase));
        }
        // A disclosed document is not listed as redacted.
        QVERIFY(!inLetter.contains(u"Call recording 2026-10-02"_s));
    }

    void nothingWithheldIsSaid()
    {
        ResponseSummary summary = accessSummary();
        summary.withheld.clear();
        summary.documents[0].disposition = u"disclosed"_s;
        const QString letter = ResponseDocuments::letterHtml(summary);
        QVERIFY(letter.contains(u"We have not withheld anything."_s));
        QVERIFY(!letter.contains(u"Exemption:"_s));
        QVERIFY(!ResponseDocuments::letterHtml(accessSummary()).contains(u"We have not withheld anything."_s));
    }

    // (a)-(h) say what the register says about each system.
    void supplementaryInformationFollowsTheRegister()
    {
        const ResponseSummary summary = accessSummary();
        const QString html = ResponseDocuments::letterHtml(summary);
        for (const SystemDisclosure &system : std::as_const(summary.info.systems)) {
            QVERIFY2(html.contains(system.retention.toHtmlEscaped()), qPrintable(system.retention));
            QVERIFY2(html.contains(system.lawfulBasisArticle), qPrintable(system.lawfulBasisArticle));
            for (const QString &purpose : system.purposes)
                QVERIFY2(html.contains(purpose.toHtmlEscaped()), qPrintable(purpose));
            for (const QString &recipient : system.recipients)
                QVERIFY2(html.contains(recipient.toHtmlEscaped()), qPrintable(recipient));
            for (const QString &source : system.sources)
                QVERIFY2(html.contains(source.toHtmlEscaped()), qPrintable(source));
        }
        QVERIFY(html.contains(u"Article 6(1)(c)"_s)); // council tax: legal obligation
        QVERIFY(html.contains(u"Article 6(1)(e)"_s)); // call recordings, CRM: public task
        QVERIFY(html.contains(u"Health information is a special category"_s));
        QVERIFY(html.contains(u"We do not send your information outside the United Kingdom."_s));
        // The council tax data-matching note, truthfully, under (h).
        QVERIFY(html.contains(summary.info.systems.at(0).automatedDecision.note.toHtmlEscaped()));
        QVERIFY(html.contains(u"None of the systems that hold your information makes decisions about you by automated "
                              u"means alone"_s));
        // Council tax has other sources; call recordings came from the subject alone.
        QVERIFY(html.contains(u"Everything in this system came from you."_s));

        // (e): objection for public task only; erasure limited for legal obligation and public task.
        static const QRegularExpression objection(u"<li>Objection:([^<]*)</li>"_s);
        const QString objectionText = objection.match(html).captured(1);
        QVERIFY(objectionText.contains(u"Contact centre call recordings"_s));
        QVERIFY(objectionText.contains(u"Customer Relationship Management"_s));
        QVERIFY(!objectionText.contains(u"Council Tax"_s));
        static const QRegularExpression erasure(u"<li>Erasure:([^<]*)</li>"_s);
        const QString erasureText = erasure.match(html).captured(1);
        QVERIFY(erasureText.contains(u"Council Tax"_s));
        QVERIFY(erasureText.contains(u"Contact centre call recordings"_s));
        QVERIFY(!html.contains(u"<li>Consent:"_s));
    }

    void supplementaryInformationVariesWithTheSystems()
    {
        ResponseSummary summary = accessSummary();
        summary.info = exampleInformation({u"call-recordings"_s});
        QCOMPARE(summary.info.systems.size(), 1);
        QString html = ResponseDocuments::letterHtml(summary);
        QVERIFY(html.contains(u"Everything we hold about you in these systems came from you."_s));

        SystemDisclosure &system = summary.info.systems[0];
        system.automatedDecision.used = true;
        system.automatedDecision.logic = u"Calls are scored for abusive language"_s;
        system.automatedDecision.significance = u"A high score blocks the caller for a day"_s;
        system.lawfulBasis = u"consent"_s;
        system.consentCanBeWithdrawn = true;
        system.objectionApplies = false;
        system.internationalTransfers = u"Stored in the EU under UK adequacy regulations"_s;
        summary.info.automatedDecisionSystems = {system.systemId};
        summary.info.internationalTransfers = {system.internationalTransfers};
        html = ResponseDocuments::letterHtml(summary);
        QVERIFY(html.contains(u"Calls are scored for abusive language"_s));
        QVERIFY(html.contains(u"A high score blocks the caller for a day"_s));
        QVERIFY(html.contains(u"Articles 22A to 22D"_s));
        QVERIFY(!html.contains(u"None of the systems that hold your information makes decisions"_s));
        QVERIFY(html.contains(u"<li>Consent:"_s));
        QVERIFY(html.contains(u"Stored in the EU under UK adequacy regulations"_s));
        QVERIFY(!html.contains(u"We do not send your information outside the United Kingdom."_s));
        QVERIFY(html.contains(u"<li>Objection: the right to object"_s));
    }

    void portabilityLetterExplainsFormatsAndExclusions()
    {
        const ResponseSummary summary = portabilitySummary();
        const QStringList headings = ResponseDocuments::letterHeadings(summary);
        for (const QString &heading : headings)
            QVERIFY2(!heading.startsWith(u'('), qPrintable(u"Art 15 heading in a portability letter: "_s + heading));
        const QString html = ResponseDocuments::letterHtml(summary);
        QVERIFY(!html.contains(u"Why we use your data"_s));
        QVERIFY(html.contains(u"JSON"_s));
        QVERIFY(html.contains(u"CSV"_s));
        for (const QString &excluded : std::as_const(summary.portabilityExcluded))
            QVERIFY2(html.contains(excluded.toHtmlEscaped()), qPrintable(excluded));
        QVERIFY(html.contains(u"Article 20(3)"_s));
        QVERIFY(html.contains(u"send them directly to another organisation"_s));
        // Only the system on contract is named as portable.
        static const QRegularExpression included(
            u"What is included</h2>\n(.*?)<h2>"_s, QRegularExpression::DotMatchesEverythingOption);
        const QString includedText = included.match(html).captured(1);
        QVERIFY(includedText.contains(u"Bulky waste collection"_s));
        QVERIFY(!includedText.contains(u"Council Tax"_s));

        ResponseSummary nothingLeftOut = summary;
        nothingLeftOut.portabilityExcluded.clear();
        QVERIFY(ResponseDocuments::letterHtml(nothingLeftOut).contains(u"We have not left out any information"_s));
    }

    void noLineIsSplitOrRepeatedAcrossPages()
    {
        // Enough documents, each a paragraph of two or three lines, to fill
        // several pages: a page break inside a paragraph would repeat its
        // text in the PDF (a paragraph is drawn whole wherever part of it
        // shows), so each name must be read back exactly once.
        ResponseSummary summary = accessSummary();
        const EnclosedFile model = summary.documents.constFirst();
        summary.documents.clear();
        for (int i = 1; i <= 90; ++i) {
            EnclosedFile file = model;
            file.path = u"documents/Letter-%1.pdf"_s.arg(i, 3, 10, QLatin1Char('0'));
            file.disposition = u"disclosed"_s;
            file.exemptionTitle.clear();
            file.exemptionProvision.clear();
            file.exemptionLetter.clear();
            summary.documents.append(file);
        }
        const PdfText read = pdfToText(pdfOf(summary));
        QVERIFY2(read.errors.isEmpty(), qPrintable(read.errors));
        QVERIFY2(read.text.contains(u"Page 3 of"_s), "expected a letter of at least three pages");
        for (const EnclosedFile &file : summary.documents)
            QVERIFY2(read.text.count(file.path) == 1, qPrintable(file.path));
    }

    void letterPdfRefusesWhatItCannotWrite()
    {
        ResponseSummary summary = accessSummary();
        summary.right = u"erasure"_s;
        const Result<QByteArray> wrongRight = ResponseDocuments::letterPdf(summary, stamp());
        QVERIFY(!wrongRight);
        QCOMPARE(wrongRight.error().code, ErrorCode::Invalid);
        QVERIFY(wrongRight.error().message.contains(u"erasure"_s));

        const Result<QByteArray> noStamp = ResponseDocuments::letterPdf(accessSummary(), QDateTime());
        QVERIFY(!noStamp);
        QCOMPARE(noStamp.error().code, ErrorCode::Invalid);
    }
};

QTEST_MAIN(TestResponseDocuments)
#include "TestResponseDocuments.moc"
