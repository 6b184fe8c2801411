// SPDX-License-Identifier: GPL-3.0-or-later
#include "bundle/EntryNames.h"

#include <QStringDecoder>
#include <QTest>

using rf::EntryNamer;

namespace {

QString withChars(std::initializer_list<QString> parts)
{
    QString result;
    for (const QString &part : parts)
        result += part;
    return result;
}

QString ch(char16_t c)
{
    return QString(QChar(c));
}

// The rows below spell out names cut to these limits.
static_assert(EntryNamer::kMaxNameUtf16Units == 100 && EntryNamer::kMaxNameBytes == 255 && EntryNamer::kMaxPathUtf16Units == 140);

const QString kGrinning = QStringLiteral("\U0001F600"); // 😀, a surrogate pair in UTF-16: 2 units, 4 bytes
const QString kCjk = QStringLiteral("\u6587"); // 文, 1 unit, 3 bytes
const QString kEuro = QStringLiteral("\u20AC"); // €, 1 unit, 3 bytes
const QString kFamily = QStringLiteral("\U0001F468\u200D\U0001F469\u200D\U0001F467"); // 👨‍👩‍👧, one grapheme
const QString kEAcuteNfc = QStringLiteral("\u00E9");
const QString kEAcuteNfd = QStringLiteral("e\u0301");

QString aTimes(qsizetype count)
{
    return QStringLiteral("a").repeated(count);
}

// Every UTF-16 surrogate in its pair, and the UTF-8 form decodes without error.
bool isWellFormed(const QString &text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i].isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate())
            ++i;
        else if (text[i].isSurrogate())
            return false;
    }
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString roundTrip = decoder.decode(text.toUtf8());
    return !decoder.hasError() && roundTrip == text;
}

// What is wrong with a name the namer gave out; empty when nothing is.
QString nameProblem(const QString &name)
{
    if (name.size() > EntryNamer::kMaxNameUtf16Units)
        return QStringLiteral("%1 UTF-16 units").arg(name.size());
    if (name.toUtf8().size() > EntryNamer::kMaxNameBytes)
        return QStringLiteral("%1 UTF-8 bytes").arg(name.toUtf8().size());
    if (!isWellFormed(name))
        return QStringLiteral("not well-formed");
    if (name != name.normalized(QString::NormalizationForm_C))
        return QStringLiteral("not NFC");
    return {};
}

struct Hostile {
    const char *tag;
    QString wanted;
    QString expected; // the name part
};

// One list for the exact-output test and for the test that every produced
// path passes isSafeEntryPath().
QList<Hostile> hostileNames()
{
    return {
        {"parent traversal", QStringLiteral("../../etc/passwd"), QStringLiteral("passwd")},
        {"windows traversal", QStringLiteral("..\\..\\windows\\system32\\config"), QStringLiteral("config")},
        {"absolute", QStringLiteral("/etc/shadow"), QStringLiteral("shadow")},
        {"drive absolute", QStringLiteral("C:\\x"), QStringLiteral("x")},
        {"drive relative", QStringLiteral("C:x.txt"), QStringLiteral("x.txt")},
        {"drive only", QStringLiteral("C:"), QStringLiteral("file")},
        {"unc", QStringLiteral("\\\\server\\share\\f.txt"), QStringLiteral("f.txt")},
        {"trailing separator", QStringLiteral("reports/2025/"), QStringLiteral("2025")},
        {"only separators", QStringLiteral("/\\/"), QStringLiteral("file")},
        {"CON.txt", QStringLiteral("CON.txt"), QStringLiteral("_CON.txt")},
        {"con", QStringLiteral("con"), QStringLiteral("_con")},
        {"LPT1.log", QStringLiteral("LPT1.log"), QStringLiteral("_LPT1.log")},
        {"nul.tar.gz", QStringLiteral("nul.tar.gz"), QStringLiteral("_nul.tar.gz")},
        {"aux space dot txt", QStringLiteral("aux .txt"), QStringLiteral("_aux .txt")},
        {"CON trailing dot", QStringLiteral("CON."), QStringLiteral("_CON")},
        {"Com9 trailing dots spaces", QStringLiteral("Com9 . . "), QStringLiteral("_Com9")},
        {"prn in folder", QStringLiteral("letters/Prn.doc"), QStringLiteral("_Prn.doc")},
        {"COM superscript", QStringLiteral("COM\u00B9.txt"), QStringLiteral("_COM\u00B9.txt")},
        {"CONOUT$", QStringLiteral("conout$"), QStringLiteral("_conout$")},
        {"not a device: console", QStringLiteral("console.txt"), QStringLiteral("console.txt")},
        {"not a device: COM10", QStringLiteral("COM10.txt"), QStringLiteral("COM10.txt")},
        {"not a device: CON in middle", QStringLiteral("my CON.txt"), QStringLiteral("my CON.txt")},
        {"trailing dot", QStringLiteral("report.pdf."), QStringLiteral("report.pdf")},
        {"spaced", QStringLiteral(" spaced "), QStringLiteral("spaced")},
        {"inner spaces kept", QStringLiteral("a  b.txt"), QStringLiteral("a  b.txt")},
        {"nul tab newline", withChars({QStringLiteral("a"), ch(0), QStringLiteral("b\tc\nd.txt")}),
            QStringLiteral("a_b_c_d.txt")},
        {"control run collapses", withChars({QStringLiteral("x"), ch(0), QStringLiteral("\t\n\ry.txt")}),
            QStringLiteral("x_y.txt")},
        {"del and C1",
            withChars({QStringLiteral("a"), ch(0x7F), QStringLiteral("b"), ch(0x85), QStringLiteral("c"), ch(0x9F),
                QStringLiteral(".txt")}),
            QStringLiteral("a_b_c_.txt")},
        {"only controls then extension", withChars({ch(1), ch(0x7F), ch(0x9B), QStringLiteral(".pdf")}),
            QStringLiteral("file.pdf")},
        {"drive letter then forbidden", QStringLiteral("a:b*c?.txt"), QStringLiteral("b_c_.txt")},
        {"forbidden characters", QStringLiteral("ab:c*d?\"<>|.txt"), QStringLiteral("ab_c_d_.txt")},
        {"pipe and quotes", QStringLiteral("\"quoted\" | piped"), QStringLiteral("_quoted_ _ piped")},
        {"underscores kept", QStringLiteral("__init__.py"), QStringLiteral("__init__.py")},
        {"alternate data stream", QStringLiteral("file.txt:Zone.Identifier"), QStringLiteral("file.txt_Zone.Identifier")},
        {"only question marks", QStringLiteral("???"), QStringLiteral("file")},
        {"question marks with extension", QStringLiteral("???.pdf"), QStringLiteral("file.pdf")},
        {"fullwidth slashes", QStringLiteral("a\uFF0Fb\uFF3Cc\u2215d.txt"), QStringLiteral("a_b_c_d.txt")},
        {"right-to-left override", QStringLiteral("invoice\u202Efdp.exe"), QStringLiteral("invoice_fdp.exe")},
        {"line separator", QStringLiteral("one\u2028two.txt"), QStringLiteral("one_two.txt")},
        {"lone high surrogate", withChars({ch(0xD83D), QStringLiteral("x.txt")}), QStringLiteral("_x.txt")},
        {"lone low surrogate at end", withChars({QStringLiteral("x"), ch(0xDE00)}), QStringLiteral("x_")},
        {".hidden", QStringLiteral(".hidden"), QStringLiteral("hidden")},
        {"..", QStringLiteral(".."), QStringLiteral("file")},
        {".", QStringLiteral("."), QStringLiteral("file")},
        {"...", QStringLiteral("..."), QStringLiteral("file")},
        {"dot dot name", QStringLiteral("..name"), QStringLiteral("name")},
        {"empty", QString(), QStringLiteral("file")},
        {"only spaces", QStringLiteral("     "), QStringLiteral("file")},
        {"space dot space", QStringLiteral(" . "), QStringLiteral("file")},
        {"accents kept", QStringLiteral("Ünïcödé – Straße.pdf"), QStringLiteral("Ünïcödé – Straße.pdf")},
        {"emoji kept", QStringLiteral("😀.txt"), QStringLiteral("😀.txt")},
        {"emoji sequence kept", kFamily + QStringLiteral(".png"), kFamily + QStringLiteral(".png")},
        {"nfd becomes nfc", QStringLiteral("Cafe\u0301.pdf"), QStringLiteral("Caf\u00E9.pdf")},
        {"composition removes forbidden", QStringLiteral("a<\u0338b.txt"), QStringLiteral("a\u226Eb.txt")},
        {"no extension split at space", QStringLiteral("Mr. Smith"), QStringLiteral("Mr. Smith")},
    };
}

} // namespace

class TestBundleNames : public QObject
{
    Q_OBJECT

private slots:
    void hostileName_data();
    void hostileName();
    void safeNameMatchesAdd();
    void longName_data();
    void longName();
    void collisions_data();
    void collisions();
    void folder_data();
    void folder();
    void pathLimit_data();
    void pathLimit();
    void deterministic();
    void everyAddedPathIsSafe();
    void isSafeEntryPath_data();
    void isSafeEntryPath();
};

void TestBundleNames::hostileName_data()
{
    QTest::addColumn<QString>("wanted");
    QTest::addColumn<QString>("expected");
    for (const Hostile &row : hostileNames())
        QTest::addRow("%s", row.tag) << row.wanted << row.expected;
}

void TestBundleNames::hostileName()
{
    QFETCH(QString, wanted);
    QFETCH(QString, expected);
    EntryNamer namer(QStringLiteral("documents"));
    QCOMPARE(namer.add(wanted), QStringLiteral("documents/") + expected);
}

void TestBundleNames::safeNameMatchesAdd()
{
    for (const Hostile &row : hostileNames())
        QCOMPARE(EntryNamer::safeName(row.wanted), row.expected);
}

void TestBundleNames::longName_data()
{
    QTest::addColumn<QString>("wanted");
    QTest::addColumn<QString>("expected");

    // In `documents/` the name limit (100 units) is below what the path limit leaves (129).
    const QString a300 = aTimes(300);
    QTest::addRow("300 ascii") << a300 << aTimes(100);
    QTest::addRow("300 ascii with extension") << a300 + QStringLiteral(".pdf") << aTimes(96) + QStringLiteral(".pdf");
    QTest::addRow("300 characters of words")
        << QStringLiteral("Correspondence about the account ").repeated(9).left(296) + QStringLiteral(".pdf")
        << QStringLiteral("Correspondence about the account Correspondence about the account Correspondence about the accou.pdf");
    QTest::addRow("extension too long to keep") << a300 + QStringLiteral(".extensionxx") << aTimes(100);
    QTest::addRow("exactly 100 units kept") << QStringLiteral("b").repeated(96) + QStringLiteral(".txt")
                                            << QStringLiteral("b").repeated(96) + QStringLiteral(".txt");

    // Emoji: 2 units and 4 bytes each, so the unit limit is reached first (50 emoji, 200 bytes).
    QTest::addRow("300 emoji") << kGrinning.repeated(300) << kGrinning.repeated(50);
    QTest::addRow("60 emoji: within bytes, over units") << kGrinning.repeated(60) << kGrinning.repeated(50);
    QTest::addRow("300 emoji with extension")
        << kGrinning.repeated(300) + QStringLiteral(".txt") << kGrinning.repeated(48) + QStringLiteral(".txt");
    QTest::addRow("odd unit before emoji") << QStringLiteral("a") + kGrinning.repeated(100)
                                           << QStringLiteral("a") + kGrinning.repeated(49);

    // CJK and the euro sign: 1 unit and 3 bytes each, so the byte limit is reached first (85, 255 bytes).
    QTest::addRow("300 CJK") << kCjk.repeated(300) << kCjk.repeated(85);
    QTest::addRow("90 CJK: within units, over bytes") << kCjk.repeated(90) << kCjk.repeated(85);
    QTest::addRow("300 CJK with extension") << kCjk.repeated(300) + QStringLiteral(".pdf")
                                            << kCjk.repeated(83) + QStringLiteral(".pdf");
    QTest::addRow("exactly 255 bytes kept") << kCjk.repeated(84) + QStringLiteral("abc")
                                            << kCjk.repeated(84) + QStringLiteral("abc");
    QTest::addRow("300 euro signs") << kEuro.repeated(300) + QStringLiteral(".csv")
                                    << kEuro.repeated(83) + QStringLiteral(".csv");
    QTest::addRow("emoji at the byte limit") << kEuro.repeated(84) + kGrinning.repeated(10) << kEuro.repeated(84);

    // Accents: 1 unit and 2 bytes each in NFC, so the unit limit is reached first.
    QTest::addRow("300 accented nfc") << kEAcuteNfc.repeated(300) << kEAcuteNfc.repeated(100);
    QTest::addRow("300 accented nfd") << kEAcuteNfd.repeated(300) << kEAcuteNfc.repeated(100);
    // x with an acute has no precomposed form: cutting by code point would keep a bare x.
    QTest::addRow("combining sequence not split") << aTimes(99) + QStringLiteral("x\u0301") << aTimes(99);
    QTest::addRow("emoji sequence not split") << aTimes(95) + kFamily << aTimes(95);
    QTest::addRow("one huge grapheme, units reached first") << QStringLiteral("x") + QStringLiteral("\u0301").repeated(300)
                                                            << QStringLiteral("x") + QStringLiteral("\u0301").repeated(99);
    // U+20D0 is a 3-byte combining mark.
    QTest::addRow("one huge grapheme, bytes reached first") << QStringLiteral("x") + QStringLiteral("\u20D0").repeated(300)
                                                            << QStringLiteral("x") + QStringLiteral("\u20D0").repeated(84);

    QTest::addRow("cut leaves trailing spaces")
        << QStringLiteral("a") + QStringLiteral(" ").repeated(300) + QStringLiteral("b") << QStringLiteral("a");
    // The last dot makes `.b` the extension; the cut stem loses its trailing dots.
    QTest::addRow("cut leaves trailing dots")
        << QStringLiteral("a") + QStringLiteral(".").repeated(300) + QStringLiteral("b") << QStringLiteral("a.b");
    QTest::addRow("cut leaves a device name")
        << QStringLiteral("CON") + QStringLiteral(" ").repeated(300) + QStringLiteral("x") << QStringLiteral("_CON");
    QTest::addRow("device name with long spaces")
        << QStringLiteral("aux") + QStringLiteral(" ").repeated(260) + QStringLiteral(".txt") << QStringLiteral("_aux.txt");
}

void TestBundleNames::longName()
{
    QFETCH(QString, wanted);
    QFETCH(QString, expected);
    EntryNamer namer(QStringLiteral("documents"));
    const QString path = namer.add(wanted);
    QCOMPARE(path, QStringLiteral("documents/") + expected);
    const QString name = path.sliced(QStringLiteral("documents/").size());
    QVERIFY2(nameProblem(name).isEmpty(), qPrintable(nameProblem(name)));
    QVERIFY(EntryNamer::isSafeEntryPath(path));
}

void TestBundleNames::collisions_data()
{
    QTest::addColumn<QStringList>("wanted");
    QTest::addColumn<QStringList>("expected");

    const QString a300pdf = aTimes(300) + QStringLiteral(".pdf");
    QTest::addRow("case-insensitive") << QStringList {QStringLiteral("Report.pdf"), QStringLiteral("report.PDF"),
        QStringLiteral("REPORT.pdf")}
                                      << QStringList {QStringLiteral("Report.pdf"), QStringLiteral("report (2).PDF"),
                                             QStringLiteral("REPORT (3).pdf")};
    QTest::addRow("case-insensitive accents") << QStringList {QStringLiteral("Émile.txt"), QStringLiteral("émile.TXT")}
                                              << QStringList {QStringLiteral("Émile.txt"), QStringLiteral("émile (2).TXT")};
    QTest::addRow("literal suffix before") << QStringList {QStringLiteral("X (2).pdf"), QStringLiteral("X.pdf"),
        QStringLiteral(
            "x.pdf")} << QStringList {QStringLiteral("X (2).pdf"), QStringLiteral("X.pdf"), QStringLiteral("x (3).pdf")};
    QTest::addRow("literal suffix after") << QStringList {QStringLiteral("X.pdf"), QStringLiteral("X.pdf"),
        QStringLiteral(
            "x (2).PDF")} << QStringList {QStringLiteral("X.pdf"), QStringLiteral("X (2).pdf"), QStringLiteral("x (2) (2).PDF")};
    QTest::addRow("nfc then nfd") << QStringList {QStringLiteral("Caf\u00E9.pdf"), QStringLiteral("Cafe\u0301.pdf")}
                                  << QStringList {QStringLiteral("Caf\u00E9.pdf"), QStringLiteral("Caf\u00E9 (2).pdf")};
    QTest::addRow("nfd then nfc") << QStringList {QStringLiteral("Cafe\u0301.pdf"), QStringLiteral("Caf\u00E9.pdf")}
                                  << QStringList {QStringLiteral("Caf\u00E9.pdf"), QStringLiteral("Caf\u00E9 (2).pdf")};
    QTest::addRow("same after sanitising") << QStringList {QStringLiteral("a/b.txt"), QStringLiteral("c\\B.txt"),
        QStringLiteral(
            "b.txt.")} << QStringList {QStringLiteral("b.txt"), QStringLiteral("B (2).txt"), QStringLiteral("b (3).txt")};
    QTest::addRow("fallbacks") << QStringList {QString(), QStringLiteral(".."), QStringLiteral("File")}
                               << QStringList {QStringLiteral("file"), QStringLiteral("file (2)"), QStringLiteral("File (3)")};
    QTest::addRow("device and its escape") << QStringList {QStringLiteral("CON"), QStringLiteral("_con")}
                                           << QStringList {QStringLiteral("_CON"), QStringLiteral("_con (2)")};
    QTest::addRow("no extension") << QStringList {QStringLiteral("notes"), QStringLiteral("Notes")}
                                  << QStringList {QStringLiteral("notes"), QStringLiteral("Notes (2)")};
    // At the limit the suffix takes its room from the stem, counted in units or in bytes.
    QTest::addRow("long names stay within limit")
        << QStringList {a300pdf, QStringLiteral("A").repeated(300) + QStringLiteral(".pdf")}
        << QStringList {aTimes(96) + QStringLiteral(".pdf"), QStringLiteral("A").repeated(92) + QStringLiteral(" (2).pdf")};
    QTest::addRow("long emoji names stay within units") << QStringList {kGrinning.repeated(300),
        kGrinning.repeated(300)} << QStringList {kGrinning.repeated(50), kGrinning.repeated(48) + QStringLiteral(" (2)")};
    // ` (2).pdf` is 8 bytes: 247 are left for the stem, room for 82 CJK characters.
    QTest::addRow("long CJK names stay within bytes")
        << QStringList {kCjk.repeated(300) + QStringLiteral(".pdf"), kCjk.repeated(300) + QStringLiteral(".pdf")}
        << QStringList {kCjk.repeated(83) + QStringLiteral(".pdf"), kCjk.repeated(82) + QStringLiteral(" (2).pdf")};
    QStringList longCopies;
    QStringList longCopiesExpected {aTimes(96) + QStringLiteral(".pdf")};
    for (int copy = 1; copy <= 10; ++copy)
        longCopies << a300pdf;
    for (int copy = 2; copy <= 9; ++copy)
        longCopiesExpected << aTimes(92) + QStringLiteral(" (%1).pdf").arg(copy);
    longCopiesExpected << aTimes(91) + QStringLiteral(" (10).pdf");
    QTest::addRow("ten long copies") << longCopies << longCopiesExpected;
    QStringList twelve;
    QStringList twelveExpected {QStringLiteral("a.txt")};
    for (int copy = 1; copy <= 12; ++copy)
        twelve << QStringLiteral("a.txt");
    for (int copy = 2; copy <= 12; ++copy)
        twelveExpected << QStringLiteral("a (%1).txt").arg(copy);
    QTest::addRow("twelve copies") << twelve << twelveExpected;
}

void TestBundleNames::collisions()
{
    QFETCH(QStringList, wanted);
    QFETCH(QStringList, expected);
    EntryNamer namer(QStringLiteral("documents"));
    QStringList names;
    for (const QString &name : std::as_const(wanted))
        names << namer.add(name).sliced(QStringLiteral("documents/").size());
    QCOMPARE(names, expected);
    for (const QString &name : std::as_const(names))
        QVERIFY2(nameProblem(name).isEmpty(), qPrintable(name + QStringLiteral(": ") + nameProblem(name)));
}

void TestBundleNames::folder_data()
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QString>("expectedPath");

    QTest::addRow("documents") << QStringLiteral("documents") << QStringLiteral("documents/x.txt");
    QTest::addRow("data") << QStringLiteral("data") << QStringLiteral("data/x.txt");
    QTest::addRow("traversal") << QStringLiteral("../data") << QStringLiteral("data/x.txt");
    QTest::addRow("nested keeps last") << QStringLiteral("a/b/") << QStringLiteral("b/x.txt");
    QTest::addRow("device") << QStringLiteral("con") << QStringLiteral("_con/x.txt");
    QTest::addRow("empty is root") << QString() << QStringLiteral("x.txt");
    QTest::addRow("dot dot is root") << QStringLiteral("..") << QStringLiteral("x.txt");
    QTest::addRow("too long") << QStringLiteral("d").repeated(300)
                              << QStringLiteral("d").repeated(100) + QStringLiteral("/x.txt");
}

void TestBundleNames::folder()
{
    QFETCH(QString, folder);
    QFETCH(QString, expectedPath);
    EntryNamer namer(folder);
    QCOMPARE(namer.add(QStringLiteral("x.txt")), expectedPath);
    QVERIFY(EntryNamer::isSafeEntryPath(expectedPath));
}

void TestBundleNames::pathLimit_data()
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QStringList>("wanted");
    QTest::addColumn<QStringList>("expected"); // the name parts

    const QString a300pdf = aTimes(300) + QStringLiteral(".pdf");
    QTest::addRow("documents: the name limit is reached first")
        << QStringLiteral("documents") << QStringList {a300pdf} << QStringList {aTimes(96) + QStringLiteral(".pdf")};
    // 140 - 100 - 1 = 39 units for the name.
    QTest::addRow("longest folder") << QStringLiteral("d").repeated(300) << QStringList {a300pdf, a300pdf}
                                    << QStringList {aTimes(35) + QStringLiteral(".pdf"), aTimes(31) + QStringLiteral(" (2).pdf")};
    QTest::addRow("longest folder, emoji not split")
        << QStringLiteral("d").repeated(100) << QStringList {kGrinning.repeated(300)} << QStringList {kGrinning.repeated(19)};
    // 140 - 80 - 1 = 59 units: 177 bytes, so the path limit is reached before the byte limit.
    QTest::addRow("path limit before byte limit")
        << QStringLiteral("d").repeated(80) << QStringList {kCjk.repeated(300)} << QStringList {kCjk.repeated(59)};
    QTest::addRow("root: the name limit is reached first")
        << QString() << QStringList {a300pdf, a300pdf}
        << QStringList {aTimes(96) + QStringLiteral(".pdf"), aTimes(92) + QStringLiteral(" (2).pdf")};
}

void TestBundleNames::pathLimit()
{
    QFETCH(QString, folder);
    QFETCH(QStringList, wanted);
    QFETCH(QStringList, expected);
    EntryNamer namer(folder);
    const QString prefix = namer.folder().isEmpty() ? QString() : namer.folder() + u'/';
    QStringList names;
    for (const QString &name : std::as_const(wanted)) {
        const QString path = namer.add(name);
        QVERIFY2(path.size() <= EntryNamer::kMaxPathUtf16Units, qPrintable(QString::number(path.size())));
        QVERIFY2(EntryNamer::isSafeEntryPath(path), qPrintable(path));
        QVERIFY(path.startsWith(prefix));
        names << path.sliced(prefix.size());
    }
    QCOMPARE(names, expected);
    for (const QString &name : std::as_const(names))
        QVERIFY2(nameProblem(name).isEmpty(), qPrintable(name + QStringLiteral(": ") + nameProblem(name)));
}

void TestBundleNames::deterministic()
{
    QStringList wanted;
    for (const Hostile &row : hostileNames())
        wanted << row.wanted << row.wanted.toUpper();
    wanted << QStringLiteral("z").repeated(300) << QStringLiteral("Z").repeated(300) << QStringLiteral("Report.pdf")
           << QStringLiteral("Report (2).pdf") << QStringLiteral("report.pdf");

    const auto run = [&wanted] {
        EntryNamer namer(QStringLiteral("documents"));
        QStringList paths;
        for (const QString &name : std::as_const(wanted))
            paths << namer.add(name);
        return paths;
    };
    const QStringList first = run();
    QCOMPARE(first.size(), wanted.size());
    QCOMPARE(run(), first);

    // And unique, checked here with a different case rule from the namer's.
    QSet<QString> lowered;
    for (const QString &path : first)
        lowered.insert(path.toLower());
    QCOMPARE(lowered.size(), first.size());
}

void TestBundleNames::everyAddedPathIsSafe()
{
    EntryNamer namer(QStringLiteral("documents"));
    EntryNamer root {QString()};
    for (const Hostile &row : hostileNames()) {
        for (const QString &wanted : {row.wanted, row.wanted.toLower(), row.wanted.repeated(40)}) {
            const QString inFolder = namer.add(wanted);
            QVERIFY2(EntryNamer::isSafeEntryPath(inFolder), qPrintable(inFolder));
            QVERIFY2(isWellFormed(inFolder), row.tag);
            const QString atRoot = root.add(wanted);
            QVERIFY2(EntryNamer::isSafeEntryPath(atRoot), qPrintable(atRoot));
        }
    }
}

void TestBundleNames::isSafeEntryPath_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("safe");

    QTest::addRow("plain") << QStringLiteral("documents/x.txt") << true;
    QTest::addRow("root file") << QStringLiteral("README.html") << true;
    QTest::addRow("deeper") << QStringLiteral("data/council tax/records.json") << true;
    QTest::addRow("accents and emoji") << QStringLiteral("documents/Ünïcödé 😀.pdf") << true;
    QTest::addRow("leading dot is only hidden") << QStringLiteral("documents/.hidden") << true;
    QTest::addRow("100-unit name") << QStringLiteral("d/") + QStringLiteral("n").repeated(100) << true;
    QTest::addRow("100-unit emoji name") << QStringLiteral("d/") + kGrinning.repeated(50) << true;
    QTest::addRow("255-byte CJK name") << QStringLiteral("d/") + kCjk.repeated(85) << true;
    QTest::addRow("140-unit path") << QStringLiteral("d").repeated(39) + QStringLiteral("/") + QStringLiteral("n").repeated(100)
                                   << true;
    QTest::addRow("140-unit path of short segments") << QStringLiteral("d/").repeated(69) + QStringLiteral("nn") << true;
    // Only a name has a byte limit.
    QTest::addRow("373-byte path") << kCjk.repeated(39) + QStringLiteral("/") + kCjk.repeated(85) << true;

    QTest::addRow("empty") << QString() << false;
    QTest::addRow("absolute") << QStringLiteral("/etc/passwd") << false;
    QTest::addRow("parent") << QStringLiteral("../x") << false;
    QTest::addRow("parent inside") << QStringLiteral("documents/../../x") << false;
    QTest::addRow("parent at end") << QStringLiteral("documents/..") << false;
    QTest::addRow("current") << QStringLiteral("./x") << false;
    QTest::addRow("three dots") << QStringLiteral("documents/...") << false;
    QTest::addRow("empty segment") << QStringLiteral("a//b") << false;
    QTest::addRow("directory entry") << QStringLiteral("documents/") << false;
    QTest::addRow("backslash") << QStringLiteral("documents\\x.txt") << false;
    QTest::addRow("backslash traversal") << QStringLiteral("..\\..\\x") << false;
    QTest::addRow("drive") << QStringLiteral("C:/x") << false;
    QTest::addRow("drive relative") << QStringLiteral("C:x") << false;
    QTest::addRow("colon") << QStringLiteral("documents/a:b") << false;
    QTest::addRow("star") << QStringLiteral("documents/a*b") << false;
    QTest::addRow("device") << QStringLiteral("documents/CON.txt") << false;
    QTest::addRow("device lower") << QStringLiteral("con") << false;
    QTest::addRow("device with space") << QStringLiteral("aux .txt") << false;
    QTest::addRow("device folder") << QStringLiteral("lpt9/x.txt") << false;
    QTest::addRow("trailing dot") << QStringLiteral("documents/x.txt.") << false;
    QTest::addRow("trailing space") << QStringLiteral("documents/x.txt ") << false;
    QTest::addRow("newline") << QStringLiteral("documents/a\nb") << false;
    QTest::addRow("nul") << withChars({QStringLiteral("documents/a"), ch(0), QStringLiteral("b")}) << false;
    QTest::addRow("del") << withChars({QStringLiteral("a"), ch(0x7F)}) << false;
    QTest::addRow("C1") << withChars({QStringLiteral("a"), ch(0x85), QStringLiteral("b")}) << false;
    QTest::addRow("bidi override") << QStringLiteral("documents/invoice\u202Efdp.exe") << false;
    QTest::addRow("fullwidth solidus") << QStringLiteral("a\uFF0F..\uFF0Fb") << false;
    QTest::addRow("lone surrogate") << withChars({QStringLiteral("a"), ch(0xD800)}) << false;
    QTest::addRow("101-unit name") << QStringLiteral("d/") + QStringLiteral("n").repeated(101) << false;
    QTest::addRow("101-unit folder") << QStringLiteral("d").repeated(101) + QStringLiteral("/n") << false;
    QTest::addRow("255-byte ascii name") << QStringLiteral("d/") + QStringLiteral("n").repeated(255) << false;
    QTest::addRow("102-unit emoji name, 204 bytes") << QStringLiteral("d/") + kGrinning.repeated(51) << false;
    QTest::addRow("256-byte CJK name, 86 units") << QStringLiteral("d/") + kCjk.repeated(85) + QStringLiteral("n") << false;
    QTest::addRow("141-unit path") << QStringLiteral("d").repeated(40) + QStringLiteral("/") + QStringLiteral("n").repeated(100)
                                   << false;
    QTest::addRow("141-unit path of short segments") << QStringLiteral("d/").repeated(70) + QStringLiteral("n") << false;
}

void TestBundleNames::isSafeEntryPath()
{
    QFETCH(QString, path);
    QFETCH(bool, safe);
    QCOMPARE(EntryNamer::isSafeEntryPath(path), safe);
}

QTEST_GUILESS_MAIN(TestBundleNames)
#include "TestBundleNames.moc"
