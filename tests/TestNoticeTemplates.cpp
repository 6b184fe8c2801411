// SPDX-License-Identifier: GPL-3.0-or-later
// The notice templates: the shipped set covers every notice the shipped
// workflows send and renders with real values; rendering never leaves a blank
// or a stray brace; HTML values are escaped; a council's broken set is refused
// with FILE:LINE for each mistake.

#include "Checks.h"
#include "calendar/DeadlineCalculator.h"
#include "mail/NoticeTemplates.h"

#include <QDate>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace rf;

namespace {

using Values = QMap<QString, QString>;
using Files = QMap<QString, QByteArray>;

// A full set, each value different from every other, so that finding one in
// the output shows that its own placeholder was filled.
Values fullValues()
{
    return {
        {QStringLiteral("reference"), QStringLiteral("SAR-2026-00042")},
        {QStringLiteral("requester_name"), QStringLiteral("Jane Smith")},
        {QStringLiteral("subject_name"), QStringLiteral("Thomas Smith")},
        {QStringLiteral("right_label"), QStringLiteral("access to your personal data")},
        {QStringLiteral("received_date"), DeadlineCalculator::britishDate(QDate(2026, 1, 31))},
        {QStringLiteral("due_date"), DeadlineCalculator::britishDate(QDate(2026, 3, 2))},
        {QStringLiteral("extended_due_date"), DeadlineCalculator::britishDate(QDate(2026, 4, 30))},
        {QStringLiteral("evidence_needed"),
            QStringLiteral("A copy of your passport or driving licence, and a council tax bill from the last three months.")},
        {QStringLiteral("clarification_question"),
            QStringLiteral("Which years of housing repair records would you like us to search?")},
        {QStringLiteral("extension_reason"),
            QStringLiteral("Your request covers records held in six systems across four services, going back twelve years.")},
        {QStringLiteral("refusal_grounds"), QStringLiteral("the request is manifestly excessive")},
        {QStringLiteral("refusal_reason"),
            QStringLiteral("You have made eleven requests for the same records since June, and we answered each in full.")},
        {QStringLiteral("fee_amount"), QStringLiteral("£25.00")},
        {QStringLiteral("fee_reason"), QStringLiteral("This is the fourth identical request this year.")},
        {QStringLiteral("outcome"), QStringLiteral("We searched council tax, housing and libraries and found records in each.")},
        {QStringLiteral("bundle_note"),
            QStringLiteral("A copy of your data is attached as a zip file, with a letter explaining it.")},
        {QStringLiteral("systems_searched"), QStringLiteral("Council tax (Academy), housing (Northgate), libraries (Spydus)")},
        {QStringLiteral("lift_date"), DeadlineCalculator::britishDate(QDate(2026, 5, 15))},
        {QStringLiteral("lift_reason"), QStringLiteral("We have checked your address history and it is accurate.")},
        {QStringLiteral("officer_name"), QStringLiteral("Priya Patel")},
        {QStringLiteral("council_name"), QStringLiteral("Sefton Metropolitan Borough Council")},
        {QStringLiteral("council_address"), QStringLiteral("Bootle Town Hall, Oriel Road, Bootle L20 7AE")},
        {QStringLiteral("council_email"), QStringLiteral("ino.information@sefton.gov.uk")},
        {QStringLiteral("council_phone"), QStringLiteral("0345 140 0845")},
        {QStringLiteral("council_website"), QStringLiteral("https://www.sefton.gov.uk")},
        {QStringLiteral("dpo_name"), QStringLiteral("Alex Morgan")},
        {QStringLiteral("dpo_email"), QStringLiteral("dpo@sefton.gov.uk")},
        {QStringLiteral("dpo_address"), QStringLiteral("Magdalen House, 30 Trinity Road, Bootle L20 3NJ")},
        {QStringLiteral("ico_website"), QStringLiteral("https://ico.org.uk/make-a-complaint/")},
        {QStringLiteral("ico_phone"), QStringLiteral("0303 123 1113")},
    };
}

// Every "template" named anywhere in the shipped workflow files (notify
// effects and timers alike), read as JSON, independently of the engine.
QStringList workflowNotices()
{
    QSet<QString> names;
    std::function<void(const QJsonValue &)> walk = [&](const QJsonValue &value) {
        if (value.isArray()) {
            for (const QJsonValue &item : value.toArray())
                walk(item);
        } else if (value.isObject()) {
            const QJsonObject object = value.toObject();
            for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
                if (it.key() == QLatin1String("template") && it.value().isString())
                    names.insert(it.value().toString());
                else
                    walk(it.value());
            }
        }
    };
    const QDir dir(QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/workflows"));
    for (const QString &file : dir.entryList({QStringLiteral("*.json")}, QDir::Files)) {
        QFile f(dir.filePath(file));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        walk(QJsonDocument::fromJson(f.readAll()).object());
    }
    QStringList sorted(names.begin(), names.end());
    sorted.sort();
    return sorted;
}

// The placeholders a shipped template file uses, read from the file itself;
// with `bodyOnly`, not those of a .txt's subject line.
QStringList placeholdersIn(const QString &resource, bool bodyOnly = false)
{
    QFile file(resource);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QString content = QString::fromUtf8(file.readAll());
    if (bodyOnly)
        content = content.mid(content.indexOf(QLatin1Char('\n')) + 1);
    static const QRegularExpression placeholder(QStringLiteral("\\{\\{\\s*([a-z_]+)\\s*\\}\\}"));
    QStringList used;
    for (const QRegularExpressionMatch &match : placeholder.globalMatch(content))
        if (!used.contains(match.captured(1)))
            used << match.captured(1);
    return used;
}

const QByteArray goodText = "Subject: Your request {{reference}}\n\nDear {{requester_name}},\n\nThank you.\n";
const QByteArray goodHtml = "<p>Dear {{requester_name}},</p>\n<p>Thank you.</p>\n";

bool writeFiles(const QString &directory, const Files &files)
{
    for (auto it = files.constBegin(); it != files.constEnd(); ++it) {
        QFile file(QDir(directory).filePath(it.key()));
        if (!file.open(QIODevice::WriteOnly) || file.write(it.value()) != it.value().size())
            return false;
    }
    return true;
}

} // namespace

class TestNoticeTemplates : public QObject
{
    Q_OBJECT

private slots:
    void shippedSetLoads();
    void everyWorkflowNoticeHasATemplate();
    void shippedHtmlIsSimple_data();
    void shippedHtmlIsSimple();
    void rendersWithFullValues_data();
    void rendersWithFullValues();
    void refusalsGiveTheRightToComplainAndToGoToCourt_data();
    void refusalsGiveTheRightToComplainAndToGoToCourt();
    void extensionGivesReasonsAndTheNewDate();
    void clarificationSaysTheClockPauses();
    void identityRequestSaysTheClockStartsOnEvidence();
    void valuesAreEscapedInHtmlOnly();
    void missingValuesAreNamed();
    void onlyUsedValuesAreNeeded();
    void lineBreakInSubjectValueIsRefused();
    void valuesAreNotExpandedAgain();
    void unknownNoticeIsNotFound();
    void councilSetLoads();
    void badTemplatesAreRefusedWithFileAndLine_data();
    void badTemplatesAreRefusedWithFileAndLine();
    void everyProblemIsReportedInOneLoad();
    void missingOrEmptyDirectoryIsNotFound();
};

void TestNoticeTemplates::shippedSetLoads()
{
    const Result<NoticeTemplates> templates = NoticeTemplates::shipped();
    VERIFY_OK(templates);
    // One notice per pair of files compiled in.
    const QStringList files = QDir(QStringLiteral(":/templates")).entryList({QStringLiteral("*.txt")}, QDir::Files);
    QVERIFY(!files.isEmpty());
    QCOMPARE(templates->names().size(), files.size());
    QVERIFY(templates->contains(QStringLiteral("acknowledgement")));
    QVERIFY(!templates->contains(QStringLiteral("no-such-notice")));
}

void TestNoticeTemplates::everyWorkflowNoticeHasATemplate()
{
    const QStringList needed = workflowNotices();
    // The shipped workflows send at least an acknowledgement and a refusal:
    // an empty list means the workflows were not read.
    QVERIFY2(needed.contains(QStringLiteral("acknowledgement")) && needed.contains(QStringLiteral("refusal")),
        qPrintable(needed.join(QStringLiteral(", "))));
    const Result<NoticeTemplates> templates = NoticeTemplates::shipped();
    VERIFY_OK(templates);
    QStringList missing;
    for (const QString &name : needed) {
        if (!templates->contains(name))
            missing << name;
    }
    QVERIFY2(missing.isEmpty(),
        qPrintable(
            QStringLiteral("the shipped workflows send notices without a template: ") + missing.join(QStringLiteral(", "))));
}

void TestNoticeTemplates::shippedHtmlIsSimple_data()
{
    QTest::addColumn<QString>("file");
    const QStringList files = QDir(QStringLiteral(":/templates")).entryList({QStringLiteral("*.html")}, QDir::Files);
    QVERIFY(!files.isEmpty());
    for (const QString &file : files)
        QTest::addRow("%s", qPrintable(file)) << QStringLiteral(":/templates/") + file;
}

void TestNoticeTemplates::shippedHtmlIsSimple()
{
    // Only what every mail client shows the same way: no styles, scripts,
    // images or tables in a notice.
    QFETCH(QString, file);
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString html = QString::fromUtf8(f.readAll());
    static const QRegularExpression tag(QStringLiteral("<\\s*/?\\s*([A-Za-z][A-Za-z0-9]*)([^>]*)>"));
    const QStringList allowed {
        QStringLiteral("p"), QStringLiteral("ul"), QStringLiteral("li"), QStringLiteral("strong"), QStringLiteral("a")};
    int tags = 0;
    for (const QRegularExpressionMatch &match : tag.globalMatch(html)) {
        ++tags;
        QVERIFY2(allowed.contains(match.captured(1)), qPrintable(match.captured(0)));
        const QString attributes = match.captured(2).trimmed();
        if (match.captured(1) == QLatin1String("a") && !match.captured(0).startsWith(QLatin1String("</")))
            QVERIFY2(attributes.startsWith(QLatin1String("href=\"")) && attributes.count(QLatin1Char('=')) == 1,
                qPrintable(match.captured(0)));
        else
            QVERIFY2(attributes.isEmpty(), qPrintable(match.captured(0)));
    }
    QVERIFY(tags > 0);
    QCOMPARE(html.count(QStringLiteral("<p>")), html.count(QStringLiteral("</p>")));
    QCOMPARE(html.count(QStringLiteral("<ul>")), html.count(QStringLiteral("</ul>")));
}

void TestNoticeTemplates::rendersWithFullValues_data()
{
    QTest::addColumn<QString>("name");
    // The notices the workflows send, and any other the set holds.
    QStringList names = workflowNotices();
    if (const Result<NoticeTemplates> templates = NoticeTemplates::shipped()) {
        for (const QString &name : templates->names()) {
            if (!names.contains(name))
                names << name;
        }
    }
    QVERIFY(!names.isEmpty());
    for (const QString &name : std::as_const(names))
        QTest::addRow("%s", qPrintable(name)) << name;
}

void TestNoticeTemplates::rendersWithFullValues()
{
    QFETCH(QString, name);
    const Result<NoticeTemplates> templates = NoticeTemplates::shipped();
    VERIFY_OK(templates);
    const Values values = fullValues();
    const Result<RenderedNotice> notice = templates->render(name, values);
    VERIFY_OK(notice);
    QVERIFY(!notice->subject.trimmed().isEmpty());
    QVERIFY(!notice->subject.contains(QLatin1Char('\n')));
    QVERIFY(notice->text.trimmed().size() > 100);
    QVERIFY(notice->html.trimmed().size() > 100);
    for (const QString &part : {notice->subject, notice->text, notice->html}) {
        QVERIFY2(!part.contains(QLatin1String("{{")) && !part.contains(QLatin1String("}}")), qPrintable(part));
    }
    // Every placeholder the files use shows its value in the part it is in.
    const QStringList inText = placeholdersIn(QStringLiteral(":/templates/%1.txt").arg(name));
    const QStringList inHtml = placeholdersIn(QStringLiteral(":/templates/%1.html").arg(name));
    QVERIFY(inText.contains(QStringLiteral("reference")));
    for (const QString &placeholder : inText) {
        QVERIFY2(NoticeTemplates::knownPlaceholders().contains(placeholder), qPrintable(placeholder));
        QVERIFY2((notice->subject + notice->text).contains(values.value(placeholder)), qPrintable(placeholder));
    }
    for (const QString &placeholder : inHtml)
        QVERIFY2(notice->html.contains(values.value(placeholder).toHtmlEscaped()), qPrintable(placeholder));
    // The two parts say the same thing: the same placeholders in each body.
    QStringList textBody = placeholdersIn(QStringLiteral(":/templates/%1.txt").arg(name), true);
    textBody.sort();
    QStringList htmlBody = inHtml;
    htmlBody.sort();
    QCOMPARE(htmlBody, textBody);
}

void TestNoticeTemplates::refusalsGiveTheRightToComplainAndToGoToCourt_data()
{
    QTest::addColumn<QString>("name");
    for (const char *name : {"refusal", "erasure-refused", "objection-refused", "rectification-declined", "restriction-declined",
             "portability-not-applicable", "closure-no-evidence", "closure-fee-unpaid", "fee-request"})
        QTest::addRow("%s", name) << QString::fromLatin1(name);
}

void TestNoticeTemplates::refusalsGiveTheRightToComplainAndToGoToCourt()
{
    // Art 12(4): a council that does not act on a request says why, and tells
    // the requester they may complain to the ICO and seek a judicial remedy.
    QFETCH(QString, name);
    const Result<NoticeTemplates> templates = NoticeTemplates::shipped();
    VERIFY_OK(templates);
    const Values values = fullValues();
    const Result<RenderedNotice> notice = templates->render(name, values);
    VERIFY_OK(notice);
    for (const QString &part : {notice->text, notice->html}) {
        QVERIFY2(part.contains(QLatin1String("Information Commissioner")), qPrintable(part));
        QVERIFY2(part.contains(values.value(QStringLiteral("ico_website"))), qPrintable(part));
        QVERIFY2(part.contains(values.value(QStringLiteral("ico_phone"))), qPrintable(part));
        QVERIFY2(part.contains(QLatin1String("court")), qPrintable(part));
        QVERIFY2(part.contains(QLatin1String("Article 79")), qPrintable(part));
    }
    // The reasons are the officer's words, not a summary.
    if (!name.startsWith(QLatin1String("closure-"))) {
        const QString reason = name == QLatin1String("fee-request") ? values.value(QStringLiteral("fee_reason"))
                                                                    : values.value(QStringLiteral("refusal_reason"));
        QVERIFY2(notice->text.contains(reason), qPrintable(notice->text));
        QVERIFY2(notice->html.contains(reason), qPrintable(notice->html));
    }
}

void TestNoticeTemplates::extensionGivesReasonsAndTheNewDate()
{
    const Result<NoticeTemplates> templates = NoticeTemplates::shipped();
    VERIFY_OK(templates);
    const Values values = fullValues();
    const Result<RenderedNotice> notice = templates->render(QStringLiteral("extension"), values);
    VERIFY_OK(notice);
    for (const QString &part : {notice->text, notice->html}) {
        QVERIFY2(part.contains(values.value(QStringLiteral("extension_reason"))), qPrintable(part));
        QVERIFY2(part.contains(QLatin1String("Thursday 30 April 2026")), qPrintable(part));
        QVERIFY2(part.contains(values.value(QStringLiteral("due_date"))), qPrintable(part));
        QVERIFY2(part.contains(QLatin1String("Article 12(3)")), qPrintable(part));
        QVERIFY2(part.contains(QLatin1String("two further months")), qPrintable(part));
    }
}

void TestNoticeTemplates::clarificationSaysTheClockPauses()
{
    const Result<NoticeTemplates> templates = NoticeTemplates::shipped();
    VERIFY_OK(templates);
    const Values values = fullValues();
    const Result<RenderedNotice> notice = templates->render(QStringLiteral("clarification-request"), values);
    VERIFY_OK(notice);
    for (const QString &part : {notice->text, notice->html}) {
        QVERIFY2(part.contains(values.value(QStringLiteral("clarification_question"))), qPrintable(part));
        QVERIFY2(part.contains(QLatin1String("paused")), qPrintable(part));
        QVERIFY2(part.contains(QLatin1String("Article 12A")), qPrintable(part));
    }
}

void TestNoticeTemplates::identityRequestSaysTheClockStartsOnEvidence()
{
    const Result<NoticeTemplates> templates = NoticeTemplates::shipped();
    VERIFY_OK(templates);
    const Values values = fullValues();
    const Result<RenderedNotice> notice = templates->render(QStringLiteral("identity-request"), values);
    VERIFY_OK(notice);
    for (const QString &part : {notice->text, notice->html}) {
        QVERIFY2(part.contains(values.value(QStringLiteral("evidence_needed"))), qPrintable(part));
        QVERIFY2(part.contains(QLatin1String("starts on the day we receive this evidence")), qPrintable(part));
    }
}

void TestNoticeTemplates::valuesAreEscapedInHtmlOnly()
{
    const Result<NoticeTemplates> templates = NoticeTemplates::shipped();
    VERIFY_OK(templates);
    Values values = fullValues();
    const QString name = QStringLiteral("<b>O'Brien & Co</b>");
    values.insert(QStringLiteral("requester_name"), name);
    values.insert(QStringLiteral("refusal_reason"), QStringLiteral("First paragraph.\nSecond <paragraph>."));
    const Result<RenderedNotice> notice = templates->render(QStringLiteral("refusal"), values);
    VERIFY_OK(notice);
    QVERIFY2(notice->text.contains(QStringLiteral("Dear ") + name + QLatin1Char(',')), qPrintable(notice->text));
    QVERIFY2(notice->text.contains(QLatin1String("First paragraph.\nSecond <paragraph>.")), qPrintable(notice->text));
    QVERIFY2(notice->html.contains(QLatin1String("&lt;b&gt;O&#39;Brien &amp; Co&lt;/b&gt;")), qPrintable(notice->html));
    QVERIFY2(!notice->html.contains(QLatin1String("<b>")), qPrintable(notice->html));
    QVERIFY2(!notice->html.contains(QLatin1String("O'Brien")), qPrintable(notice->html));
    // A line break an officer typed stays a line break in the HTML part.
    QVERIFY2(notice->html.contains(QLatin1String("First paragraph.<br>\nSecond &lt;paragraph&gt;.")), qPrintable(notice->html));
    // An attribute cannot be broken out of.
    values.insert(QStringLiteral("ico_website"), QStringLiteral("https://ico.org.uk/\" onclick=\"x"));
    const Result<RenderedNotice> link = templates->render(QStringLiteral("refusal"), values);
    VERIFY_OK(link);
    QVERIFY2(link->html.contains(QLatin1String("href=\"https://ico.org.uk/&quot; onclick=&quot;x\"")), qPrintable(link->html));
}

void TestNoticeTemplates::missingValuesAreNamed()
{
    const Result<NoticeTemplates> templates = NoticeTemplates::shipped();
    VERIFY_OK(templates);
    Values values = fullValues();
    values.remove(QStringLiteral("refusal_reason"));
    values.remove(QStringLiteral("ico_phone"));
    Result<RenderedNotice> notice = templates->render(QStringLiteral("refusal"), values);
    QVERIFY(!notice.ok());
    QCOMPARE(notice.error().code, ErrorCode::Invalid);
    QVERIFY2(notice.error().message.contains(QLatin1String("{{refusal_reason}}")), qPrintable(notice.error().message));
    QVERIFY2(notice.error().message.contains(QLatin1String("{{ico_phone}}")), qPrintable(notice.error().message));
    QVERIFY2(notice.error().message.contains(QLatin1String("refusal")), qPrintable(notice.error().message));
    QVERIFY2(!notice.error().message.contains(QLatin1String("{{reference}}")), qPrintable(notice.error().message));

    // A blank is as bad as nothing.
    values = fullValues();
    values.insert(QStringLiteral("officer_name"), QStringLiteral("  "));
    notice = templates->render(QStringLiteral("refusal"), values);
    QVERIFY(!notice.ok());
    QVERIFY2(notice.error().message.contains(QLatin1String("{{officer_name}}")), qPrintable(notice.error().message));
}

void TestNoticeTemplates::onlyUsedValuesAreNeeded()
{
    const Result<NoticeTemplates> templates = NoticeTemplates::shipped();
    VERIFY_OK(templates);
    // The acknowledgement has no refusal to give: its reasons are not asked for.
    QVERIFY(!placeholdersIn(QStringLiteral(":/templates/acknowledgement.txt")).contains(QStringLiteral("refusal_reason")));
    Values values = fullValues();
    values.remove(QStringLiteral("refusal_reason"));
    values.insert(QStringLiteral("not_a_placeholder"), QStringLiteral("ignored"));
    VERIFY_OK(templates->render(QStringLiteral("acknowledgement"), values));
}

void TestNoticeTemplates::lineBreakInSubjectValueIsRefused()
{
    const Result<NoticeTemplates> templates = NoticeTemplates::shipped();
    VERIFY_OK(templates);
    Values values = fullValues();
    values.insert(QStringLiteral("reference"), QStringLiteral("SAR-1\r\nBcc: everyone@example.org"));
    const Result<RenderedNotice> notice = templates->render(QStringLiteral("acknowledgement"), values);
    QVERIFY(!notice.ok());
    QCOMPARE(notice.error().code, ErrorCode::Invalid);
    QVERIFY2(notice.error().message.contains(QLatin1String("{{reference}}")), qPrintable(notice.error().message));
    QVERIFY2(notice.error().message.contains(QLatin1String("line break")), qPrintable(notice.error().message));
    // Unicode line separators are line breaks too.
    values.insert(QStringLiteral("reference"), QStringLiteral("SAR-1") + QChar(0x2028) + QStringLiteral("x"));
    QVERIFY(!templates->render(QStringLiteral("acknowledgement"), values).ok());
    // In a body, a line break is the officer's paragraph.
    values = fullValues();
    values.insert(QStringLiteral("refusal_reason"), QStringLiteral("One.\r\nTwo."));
    VERIFY_OK(templates->render(QStringLiteral("refusal"), values));
}

void TestNoticeTemplates::valuesAreNotExpandedAgain()
{
    const Result<NoticeTemplates> templates = NoticeTemplates::shipped();
    VERIFY_OK(templates);
    Values values = fullValues();
    values.insert(QStringLiteral("requester_name"), QStringLiteral("{{due_date}}"));
    const Result<RenderedNotice> notice = templates->render(QStringLiteral("acknowledgement"), values);
    VERIFY_OK(notice);
    QVERIFY2(notice->text.contains(QLatin1String("Dear {{due_date}},")), qPrintable(notice->text));
    QVERIFY2(notice->html.contains(QLatin1String("Dear {{due_date}},")), qPrintable(notice->html));
}

void TestNoticeTemplates::unknownNoticeIsNotFound()
{
    const Result<NoticeTemplates> templates = NoticeTemplates::shipped();
    VERIFY_OK(templates);
    const Result<RenderedNotice> notice = templates->render(QStringLiteral("send-letter"), fullValues());
    QVERIFY(!notice.ok());
    QCOMPARE(notice.error().code, ErrorCode::NotFound);
    QVERIFY2(notice.error().message.contains(QLatin1String("send-letter")), qPrintable(notice.error().message));
}

void TestNoticeTemplates::councilSetLoads()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A byte order mark, Windows line ends, spaces inside the braces, other files beside them.
    const Files files {
        {QStringLiteral("reminder.txt"),
            "\xEF\xBB\xBFSubject: Request {{ reference }}\r\n\r\nDear {{requester_name}},\r\n\r\nHello.\r\n\r\n"},
        {QStringLiteral("reminder.html"), "<p>Dear {{ requester_name }},</p>\r\n"},
        {QStringLiteral("acknowledgement.txt"), goodText},
        {QStringLiteral("acknowledgement.html"), goodHtml},
        {QStringLiteral("README.md"), "Our {{own}} notes {{"},
    };
    QVERIFY(writeFiles(dir.path(), files));
    const Result<NoticeTemplates> templates = NoticeTemplates::load(dir.path());
    VERIFY_OK(templates);
    QCOMPARE(templates->names(), (QStringList {QStringLiteral("acknowledgement"), QStringLiteral("reminder")}));
    QVERIFY(templates->contains(QStringLiteral("reminder")));
    QVERIFY(!templates->contains(QStringLiteral("README")));
    const Result<RenderedNotice> notice = templates->render(QStringLiteral("reminder"),
        {{QStringLiteral("reference"), QStringLiteral("R-1")}, {QStringLiteral("requester_name"), QStringLiteral("Ann")}});
    VERIFY_OK(notice);
    QCOMPARE(notice->subject, QStringLiteral("Request R-1"));
    QCOMPARE(notice->text, QStringLiteral("Dear Ann,\n\nHello.\n"));
    QCOMPARE(notice->html, QStringLiteral("<p>Dear Ann,</p>\n"));
}

void TestNoticeTemplates::badTemplatesAreRefusedWithFileAndLine_data()
{
    QTest::addColumn<Files>("files");
    QTest::addColumn<QStringList>("expected"); // "FILE:LINE: the start of the problem"

    const QString known
        = QStringLiteral(" (known: ") + NoticeTemplates::knownPlaceholders().join(QStringLiteral(", ")) + QLatin1Char(')');
    QTest::addRow("unknown placeholder in the body")
        << Files {{QStringLiteral("x.txt"), "Subject: Hi\n\nDear {{requester_name}},\n\nYour {{nmae}} here.\n"}}
        << QStringList {QStringLiteral("x.txt:5: unknown placeholder {{nmae}}") + known};
    QTest::addRow("unknown placeholder in the subject")
        << Files {{QStringLiteral("x.txt"), "Subject: About {{referense}}\n\nBody\n"}}
        << QStringList {QStringLiteral("x.txt:1: unknown placeholder {{referense}} (known: reference, ")};
    QTest::addRow("unknown placeholder in the html")
        << Files {{QStringLiteral("x.html"), "<p>Dear {{requester_name}},</p>\n<p>{{council}}</p>\n"}}
        << QStringList {QStringLiteral("x.html:2: unknown placeholder {{council}}")};
    QTest::addRow("empty placeholder") << Files {{QStringLiteral("x.html"), "<p>{{}}</p>\n"}}
                                       << QStringList {QStringLiteral("x.html:1: unknown placeholder {{}}")};
    QTest::addRow("unbalanced {{") << Files {{QStringLiteral("x.txt"), "Subject: Hi\n\nHello,\nDear {{requester_name,\n"}}
                                   << QStringList {QStringLiteral("x.txt:4: unbalanced {{")};
    QTest::addRow("{{ closed on the next line")
        << Files {{QStringLiteral("x.txt"), "Subject: Hi\n\nDear {{requester\n_name}},\n"}}
        << QStringList {QStringLiteral("x.txt:3: unbalanced {{"), QStringLiteral("x.txt:4: unbalanced }}")};
    QTest::addRow("{{ inside {{") << Files {{QStringLiteral("x.html"), "<p>{{ref {{reference}}</p>\n"}}
                                  << QStringList {QStringLiteral("x.html:1: unbalanced {{")};
    QTest::addRow("unbalanced }}") << Files {{QStringLiteral("x.html"), "<p>Hello</p>\n\n<p>Dear requester_name}},</p>\n"}}
                                   << QStringList {QStringLiteral("x.html:3: unbalanced }}")};
    QTest::addRow("no subject") << Files {{QStringLiteral("x.txt"), "Dear {{requester_name}},\n\nYours {{nobody}}\n"}}
                                << QStringList {QStringLiteral("x.txt:1: the first line must be the subject, \"Subject: ...\""),
                                       QStringLiteral("x.txt:3: unknown placeholder {{nobody}}")};
    QTest::addRow("empty subject") << Files {{QStringLiteral("x.txt"), "Subject:   \n\nBody\n"}}
                                   << QStringList {QStringLiteral("x.txt:1: the subject is empty")};
    QTest::addRow("no blank line after the subject")
        << Files {{QStringLiteral("x.txt"), "Subject: Hi\nBody {{x}}\n"}}
        << QStringList {QStringLiteral("x.txt:2: expected a blank line"), QStringLiteral("x.txt:2: unknown placeholder {{x}}")};
    QTest::addRow("empty body") << Files {{QStringLiteral("x.txt"), "Subject: Hi\n\n\n   \n"}}
                                << QStringList {QStringLiteral("x.txt:3: empty body")};
    QTest::addRow("subject only") << Files {{QStringLiteral("x.txt"), "Subject: Hi"}}
                                  << QStringList {QStringLiteral("x.txt:3: empty body")};
    QTest::addRow("empty file") << Files {{QStringLiteral("x.txt"), ""}} << QStringList {QStringLiteral("x.txt:1: empty file")};
    QTest::addRow("empty html") << Files {{QStringLiteral("x.html"), " \n\n"}}
                                << QStringList {QStringLiteral("x.html:1: empty body")};
    QTest::addRow("orphan html") << Files {{QStringLiteral("y.html"), goodHtml}}
                                 << QStringList {QStringLiteral("y.html:1: no y.txt beside it")};
    QTest::addRow("orphan txt") << Files {{QStringLiteral("y.txt"), goodText}}
                                << QStringList {QStringLiteral("y.txt:1: no y.html beside it")};
    QTest::addRow("not a notice name") << Files {{QStringLiteral("Refusal.txt"), goodText},
        {QStringLiteral("Refusal.html"), goodHtml}}
                                       << QStringList {QStringLiteral("Refusal.txt:1: \"Refusal\" is not a notice name")};
    QTest::addRow("windows line ends") << Files {{QStringLiteral("x.txt"), "Subject: Hi\r\n\r\nLine\r\n{{bad}}\r\n"}}
                                       << QStringList {QStringLiteral("x.txt:4: unknown placeholder {{bad}}")};
    QTest::addRow("not UTF-8") << Files {{QStringLiteral("x.txt"), "Subject: Hi\n\nLine\n\xff\xfe caf\xe9\n"}}
                               << QStringList {QStringLiteral("x.txt:4: not valid UTF-8")};
    const QByteArray huge = QByteArray("Subject: Hi\n\n") + QByteArray(256 * 1024, 'a') + '\n';
    QTest::addRow("larger than a template may be")
        << Files {{QStringLiteral("x.txt"), huge}}
        << QStringList {QStringLiteral("x.txt:1: %1 bytes is more than the 256 KiB (262144 bytes) a notice template may hold")
                            .arg(huge.size())};
}

void TestNoticeTemplates::badTemplatesAreRefusedWithFileAndLine()
{
    QFETCH(Files, files);
    QFETCH(QStringList, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Each row spoils one notice of an otherwise good pair x.txt + x.html.
    Files all {{QStringLiteral("x.txt"), goodText}, {QStringLiteral("x.html"), goodHtml}};
    for (auto it = files.constBegin(); it != files.constEnd(); ++it)
        all.insert(it.key(), it.value());
    QVERIFY(writeFiles(dir.path(), all));

    const Result<NoticeTemplates> templates = NoticeTemplates::load(dir.path());
    QVERIFY2(!templates.ok(), "a bad template loaded");
    QCOMPARE(templates.error().code, ErrorCode::Invalid);
    QVERIFY2(templates.error().message.contains(dir.path()), qPrintable(templates.error().message));
    const QStringList details = templates.error().details;
    for (const QString &want : expected) {
        const QString full = QDir(dir.path()).filePath(want);
        bool found = false;
        for (const QString &line : details)
            found = found || line.startsWith(full);
        QVERIFY2(found, qPrintable(QStringLiteral("wanted: %1\ngot:\n%2").arg(full, details.join(QLatin1Char('\n')))));
    }
    QCOMPARE(details.size(), expected.size());
}

void TestNoticeTemplates::everyProblemIsReportedInOneLoad()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeFiles(dir.path(),
        {{QStringLiteral("a.txt"), "Subject: {{a}}\n\nBody\n"}, {QStringLiteral("a.html"), "<p>{{b}}</p>\n"},
            {QStringLiteral("b.txt"), "No subject\n"}, {QStringLiteral("c.html"), goodHtml}}));
    const Result<NoticeTemplates> templates = NoticeTemplates::load(dir.path());
    QVERIFY(!templates.ok());
    const QString text = templates.error().fullText();
    const QDir d(dir.path());
    for (const QString &want : {d.filePath(QStringLiteral("a.txt:1: unknown placeholder {{a}}")),
             d.filePath(QStringLiteral("a.html:1: unknown placeholder {{b}}")), d.filePath(QStringLiteral("b.txt:1: no b.html")),
             d.filePath(QStringLiteral("b.txt:1: the first line must be the subject")),
             d.filePath(QStringLiteral("c.html:1: no c.txt"))})
        QVERIFY2(text.contains(want), qPrintable(QStringLiteral("wanted: %1\ngot:\n%2").arg(want, text)));
    QCOMPARE(templates.error().details.size(), 5);
}

void TestNoticeTemplates::missingOrEmptyDirectoryIsNotFound()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Result<NoticeTemplates> empty = NoticeTemplates::load(dir.path());
    QVERIFY(!empty.ok());
    QCOMPARE(empty.error().code, ErrorCode::NotFound);
    QVERIFY2(empty.error().message.contains(dir.path()), qPrintable(empty.error().message));

    const QString missing = dir.filePath(QStringLiteral("no-such-folder"));
    const Result<NoticeTemplates> none = NoticeTemplates::load(missing);
    QVERIFY(!none.ok());
    QCOMPARE(none.error().code, ErrorCode::NotFound);
    QVERIFY2(none.error().message.contains(missing), qPrintable(none.error().message));
}

QTEST_GUILESS_MAIN(TestNoticeTemplates)
#include "TestNoticeTemplates.moc"
