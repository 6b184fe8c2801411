// SPDX-License-Identifier: GPL-3.0-or-later
// SafeOutput and OutputFile: the one way Rightsflow writes a file a person
// named. Every refusal here is a way a real file (the register above all)
// was once destroyed by a careless or hostile --out.

#include "CliRunner.h"
#include "bundle/ZipWriter.h"
#include "core/InputLimits.h"
#include "core/SafeOutput.h"
#include "store/SqlStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace rf;
using namespace Qt::StringLiterals;

namespace {

QStringList folderContents(const QString &path)
{
    return QDir(path).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

Result<OutputTarget> resolve(const QString &path, Overwrite overwrite = Overwrite::Refuse, const QString &defaultName = {})
{
    return SafeOutput::resolve(path, defaultName, overwrite, u"the test file"_s);
}

Status writeThrough(const OutputTarget &target, const QByteArray &bytes)
{
    Result<std::unique_ptr<OutputFile>> file = OutputFile::create(target, u"the test file"_s);
    if (!file)
        return file.error();
    if ((*file)->device()->write(bytes) != bytes.size())
        return makeError(ErrorCode::Storage, u"short write"_s);
    return (*file)->commit();
}

// Runs a test with unnamed temporary files (O_TMPFILE) and with the named
// ones that filesystems without them get.
void temporaryFileKinds()
{
    QTest::addColumn<bool>("unnamed");
    QTest::addRow("unnamed temporary file") << true;
    QTest::addRow("named temporary file") << false;
}

struct TemporaryFiles {
    explicit TemporaryFiles(bool unnamed) { SafeOutput::setUnnamedTemporaryFiles(unnamed); }
    ~TemporaryFiles() { SafeOutput::setUnnamedTemporaryFiles(true); }
    TemporaryFiles(const TemporaryFiles &) = delete;
    TemporaryFiles &operator=(const TemporaryFiles &) = delete;
};

} // namespace

class TestSafeOutput : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // A real register, open as every command has it open.
        m_register = m_dir.filePath(u"register.sqlite"_s);
        m_store = std::make_unique<SqlStore>(SqlDialect::Sqlite, m_register, SqlStore::Options {true});
        const Status opened = m_store->open();
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().fullText()));
        QVERIFY(QFileInfo::exists(m_register + u"-wal"_s));
        // A configuration file the program has read.
        m_config = m_dir.filePath(u"exemptions.json"_s);
        QVERIFY(writeFile(m_config, "{}"));
        QVERIFY(readInputFile(m_config, InputKind::Exemptions).ok());
    }

    void cleanupTestCase() { m_store.reset(); }

    // Whatever the overwrite choice, the register's files and the files the
    // program has read are never a target, by any of their names.
    void protectedFilesAreRefused_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("replace");
        const QString reg = m_dir.filePath(u"register.sqlite"_s);
        for (const bool replace : {false, true}) {
            const char *how = replace ? " with replace" : "";
            QTest::addRow("the register%s", how) << reg << replace;
            QTest::addRow("its -wal%s", how) << reg + u"-wal"_s << replace;
            QTest::addRow("its -shm%s", how) << reg + u"-shm"_s << replace;
            QTest::addRow("its -journal, not there yet%s", how) << reg + u"-journal"_s << replace;
            QTest::addRow("the register by a longer path%s", how) << m_dir.filePath(u"./sub/../register.sqlite"_s) << replace;
            QTest::addRow("a hard link to the register%s", how) << m_dir.filePath(u"hardlink.sqlite"_s) << replace;
            QTest::addRow("a symbolic link to the register%s", how) << m_dir.filePath(u"symlink.sqlite"_s) << replace;
            QTest::addRow("a configuration file read%s", how) << m_dir.filePath(u"exemptions.json"_s) << replace;
        }
    }
    void protectedFilesAreRefused()
    {
        QFETCH(QString, path);
        QFETCH(bool, replace);
        QDir().mkpath(m_dir.filePath(u"sub"_s));
        if (!QFileInfo::exists(m_dir.filePath(u"hardlink.sqlite"_s)))
            QCOMPARE(::link(QFile::encodeName(m_register).constData(),
                         QFile::encodeName(m_dir.filePath(u"hardlink.sqlite"_s)).constData()),
                0);
        if (!QFileInfo(m_dir.filePath(u"symlink.sqlite"_s)).isSymLink())
            QVERIFY(QFile::link(m_register, m_dir.filePath(u"symlink.sqlite"_s)));
        const QByteArray before = readFile(m_register);

        Result<OutputTarget> target = resolve(path, replace ? Overwrite::Replace : Overwrite::Refuse);
        QVERIFY2(!target, qPrintable(u"%1 was accepted as an output"_s.arg(path)));
        QCOMPARE(target.error().code, ErrorCode::Refused);
        QVERIFY2(target.error().message.contains(u"Rightsflow is using"_s), qPrintable(target.error().message));
        QCOMPARE(readFile(m_register), before);
        QVERIFY(!QFileInfo::exists(m_register + u"-journal"_s));
    }

    // Only a regular file or a new name is ever written.
    void specialFilesAreRefused_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("why");
        QTest::addRow("a character device") << u"/dev/null"_s << u"not a regular file"_s;
        QTest::addRow("a FIFO") << m_dir.filePath(u"fifo"_s) << u"not a regular file"_s;
        QTest::addRow("a socket") << m_dir.filePath(u"socket"_s) << u"not a regular file"_s;
        QTest::addRow("a symbolic link to a device") << m_dir.filePath(u"to-null"_s) << u"not a regular file"_s;
        QTest::addRow("a symbolic link to nothing") << m_dir.filePath(u"dangling"_s) << u"symbolic link to nothing"_s;
    }
    void specialFilesAreRefused()
    {
        QFETCH(QString, path);
        QFETCH(QString, why);
        if (!QFileInfo::exists(m_dir.filePath(u"fifo"_s)))
            QCOMPARE(::mkfifo(QFile::encodeName(m_dir.filePath(u"fifo"_s)).constData(), 0600), 0);
        if (!QFileInfo::exists(m_dir.filePath(u"to-null"_s)))
            QVERIFY(QFile::link(u"/dev/null"_s, m_dir.filePath(u"to-null"_s)));
        if (!QFileInfo(m_dir.filePath(u"dangling"_s)).isSymLink())
            QVERIFY(QFile::link(m_dir.filePath(u"nowhere/at/all"_s), m_dir.filePath(u"dangling"_s)));
        QLocalServer socket;
        if (path.endsWith(u"socket"_s)) {
            QLocalServer::removeServer(path);
            QVERIFY2(socket.listen(path), qPrintable(socket.errorString()));
        }
        for (const Overwrite overwrite : {Overwrite::Refuse, Overwrite::Replace}) {
            Result<OutputTarget> target = resolve(path, overwrite);
            QVERIFY2(!target, qPrintable(u"%1 was accepted as an output"_s.arg(path)));
            QCOMPARE(target.error().code, ErrorCode::Refused);
            QVERIFY2(target.error().message.contains(why), qPrintable(target.error().message));
        }
        struct stat st {
        };
        QCOMPARE(::stat("/dev/null", &st), 0);
        QVERIFY(S_ISCHR(st.st_mode));
        QVERIFY(!QFileInfo::exists(m_dir.filePath(u"nowhere"_s)));
    }

    // An existing file is replaced only when the person said so.
    void existingFileNeedsReplace_data() { temporaryFileKinds(); }
    void existingFileNeedsReplace()
    {
        QFETCH(bool, unnamed);
        const TemporaryFiles kind(unnamed);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"letter.pdf"_s);
        QVERIFY(writeFile(path, "the officer's own file"));
        Result<OutputTarget> refused = resolve(path);
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, ErrorCode::Exists);
        QVERIFY2(refused.error().message.contains(path), qPrintable(refused.error().message));
        QCOMPARE(readFile(path), QByteArray("the officer's own file"));

        Result<OutputTarget> replacing = resolve(path, Overwrite::Replace);
        QVERIFY(replacing);
        QVERIFY(replacing->replaces);
        QVERIFY(writeThrough(*replacing, "new content").ok());
        QCOMPARE(readFile(path), QByteArray("new content"));
        QCOMPARE(folderContents(dir.path()), QStringList {u"letter.pdf"_s});
    }

    // A symbolic link to a regular file writes that file, and leaves the link.
    void symlinkToFileWritesTheFile()
    {
        QTemporaryDir dir;
        const QString real = dir.filePath(u"real.txt"_s);
        const QString link = dir.filePath(u"link.txt"_s);
        QVERIFY(writeFile(real, "old"));
        QVERIFY(QFile::link(real, link));
        Result<OutputTarget> target = resolve(link, Overwrite::Replace);
        QVERIFY(target);
        QCOMPARE(target->path, QFileInfo(real).canonicalFilePath());
        QVERIFY(writeThrough(*target, "new").ok());
        QVERIFY(QFileInfo(link).isSymLink());
        QCOMPARE(readFile(real), QByteArray("new"));
    }

    // A folder means the default name inside it; without one, a clear refusal.
    void folderMeansDefaultName()
    {
        QTemporaryDir dir;
        Result<OutputTarget> inside = resolve(dir.path(), Overwrite::Refuse, u"DSR-2026-000001.zip"_s);
        QVERIFY(inside);
        QCOMPARE(inside->path, QDir(QFileInfo(dir.path()).canonicalFilePath()).filePath(u"DSR-2026-000001.zip"_s));
        Result<OutputTarget> slash = resolve(dir.path() + u"/"_s, Overwrite::Refuse, u"x.zip"_s);
        QVERIFY(slash);
        QVERIFY(slash->path.endsWith(u"/x.zip"_s));

        Result<OutputTarget> noDefault = resolve(dir.path());
        QVERIFY(!noDefault);
        QCOMPARE(noDefault.error().code, ErrorCode::Invalid);
        QVERIFY2(noDefault.error().message.contains(u"is a folder"_s), qPrintable(noDefault.error().message));

        Result<OutputTarget> missing = resolve(dir.filePath(u"no such folder/"_s), Overwrite::Refuse, u"x.zip"_s);
        QVERIFY(!missing);
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        Result<OutputTarget> missingParent = resolve(dir.filePath(u"no such folder/x.zip"_s));
        QVERIFY(!missingParent);
        QCOMPARE(missingParent.error().code, ErrorCode::NotFound);
        QVERIFY(!QFileInfo::exists(dir.filePath(u"no such folder"_s)));
        QVERIFY(!resolve(QString()));
    }

    // Nothing is left behind by a write that is not committed, and nothing of
    // it is visible before.
    void abandonedWriteLeavesNothing_data() { temporaryFileKinds(); }
    void abandonedWriteLeavesNothing()
    {
        QFETCH(bool, unnamed);
        const TemporaryFiles kind(unnamed);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"export.pdf"_s);
        {
            Result<OutputTarget> target = resolve(path);
            QVERIFY(target);
            Result<std::unique_ptr<OutputFile>> file = OutputFile::create(*target, u"the test file"_s);
            QVERIFY(file);
            QVERIFY((*file)->device()->write(QByteArray(100000, 'x')) == 100000);
            QVERIFY(!QFileInfo::exists(path));
        }
        QCOMPARE(folderContents(dir.path()), QStringList());
    }

    // A name taken while the file was written is not replaced.
    void nameTakenMeanwhileIsNotReplaced_data() { temporaryFileKinds(); }
    void nameTakenMeanwhileIsNotReplaced()
    {
        QFETCH(bool, unnamed);
        const TemporaryFiles kind(unnamed);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"bundle.zip"_s);
        Result<OutputTarget> target = resolve(path);
        QVERIFY(target);
        Result<std::unique_ptr<OutputFile>> file = OutputFile::create(*target, u"the test file"_s);
        QVERIFY(file);
        QVERIFY((*file)->device()->write("ours") == 4);
        QVERIFY(writeFile(path, "someone else's"));
        const Status placed = (*file)->place();
        QVERIFY(!placed);
        QCOMPARE(placed.error().code, ErrorCode::Exists);
        file->reset();
        QCOMPARE(readFile(path), QByteArray("someone else's"));
        QCOMPARE(folderContents(dir.path()), QStringList {u"bundle.zip"_s});
    }

    // Placed but not finished (the record it goes with was not committed):
    // a rollback puts back exactly what was there.
    void rollbackRestoresTheReplacedFile_data() { temporaryFileKinds(); }
    void rollbackRestoresTheReplacedFile()
    {
        QFETCH(bool, unnamed);
        const TemporaryFiles kind(unnamed);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"bundle.zip"_s);
        QVERIFY(writeFile(path, "the earlier bundle"));
        Result<OutputTarget> target = resolve(path, Overwrite::Replace);
        QVERIFY(target);
        {
            Result<std::unique_ptr<OutputFile>> file = OutputFile::create(*target, u"the test file"_s);
            QVERIFY(file);
            QVERIFY((*file)->device()->write("the new bundle") == 14);
            QVERIFY((*file)->place().ok());
            QCOMPARE(readFile(path), QByteArray("the new bundle"));
            (*file)->rollback();
            QCOMPARE(readFile(path), QByteArray("the earlier bundle"));
        }
        QCOMPARE(folderContents(dir.path()), QStringList {u"bundle.zip"_s});
        // Destroyed while placed and unfinished: rolled back too.
        {
            Result<std::unique_ptr<OutputFile>> file = OutputFile::create(*target, u"the test file"_s);
            QVERIFY(file);
            QVERIFY((*file)->device()->write("again") == 5);
            QVERIFY((*file)->place().ok());
        }
        QCOMPARE(readFile(path), QByteArray("the earlier bundle"));
        // A new name rolled back is gone again.
        const QString fresh = dir.filePath(u"fresh.zip"_s);
        {
            Result<OutputTarget> newTarget = resolve(fresh);
            QVERIFY(newTarget);
            Result<std::unique_ptr<OutputFile>> file = OutputFile::create(*newTarget, u"the test file"_s);
            QVERIFY(file);
            QVERIFY((*file)->place().ok());
            QVERIFY(QFileInfo::exists(fresh));
        }
        QVERIFY(!QFileInfo::exists(fresh));
        QCOMPARE(folderContents(dir.path()), QStringList {u"bundle.zip"_s});
    }

    // A full disk (here: the file size limit, which fails writes the same
    // way) fails the zip writer cleanly, leaving nothing; it once crashed
    // in QuaZip's file destructor.
    void fullDiskFailsTheZipCleanly_data() { temporaryFileKinds(); }
    void fullDiskFailsTheZipCleanly()
    {
        QFETCH(bool, unnamed);
        const TemporaryFiles kind(unnamed);
        QTemporaryDir dir;
        const QString path = dir.filePath(u"bundle.zip"_s);
        struct rlimit saved {
        };
        QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
        const auto previous = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = saved;
        small.rlim_cur = 256 * 1024;
        QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
        Status outcome;
        {
            ZipWriter::Options options;
            options.chunkSize = 64 * 1024;
            ZipWriter writer(path, options);
            outcome = writer.open();
            if (outcome) {
                QByteArray noise(1024 * 1024, '\0');
                for (qsizetype i = 0; i < noise.size(); ++i)
                    noise[i] = char((i * 2654435761u) >> 13);
                Result<ZipWriter::Entry> entry = writer.addData(u"documents/big.bin"_s, noise, ZipWriter::Compression::Store);
                outcome = entry ? writer.commit() : Status(entry.error());
            }
        }
        ::setrlimit(RLIMIT_FSIZE, &saved);
        std::signal(SIGXFSZ, previous);
        QVERIFY2(!outcome, "a zip bigger than the disk allows was reported written");
        QCOMPARE(outcome.error().code, ErrorCode::Storage);
        QCOMPARE(folderContents(dir.path()), QStringList());
    }

    // The program itself: every command that writes a file a person names
    // refuses the register, the configuration it read and special files,
    // records nothing when it refuses, and replaces a file only with --force.
    void commandsNeverWriteOverTheRegister()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString db = dir.filePath(u"register.sqlite"_s);
        // A copy: this test points --force at it.
        const QString processing = dir.filePath(u"processing-register.json"_s);
        QVERIFY(QFile::copy(QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/resources/processing-register.example.json"), processing));
        const test::ProcessRun demo = test::runCli({u"demo"_s, u"--db"_s, db, u"--bundles"_s, dir.path()});
        VERIFY_EXIT(demo, 0);
        const QStringList zips = QDir(dir.path()).entryList({u"DSR-*.zip"_s});
        QCOMPARE(zips.size(), 1);
        const QString reference = QFileInfo(zips.constFirst()).completeBaseName();
        const QString bundle = dir.filePath(zips.constFirst());
        const QByteArray bundleBytes = readFile(bundle);
        const QString letter = dir.filePath(u"request letter.pdf"_s);
        QVERIFY(writeFile(letter, "%PDF-1.4 the requester's letter"));
        const test::ProcessRun attached
            = test::runCli({u"request"_s, u"attach"_s, reference, letter, u"--as"_s, u"alice"_s, u"--db"_s, db});
        VERIFY_EXIT(attached, 0);
        const QRegularExpressionMatch number = QRegularExpression(u"as attachment (\\d+)"_s).match(attached.out);
        QVERIFY2(number.hasMatch(), qPrintable(attached.describe()));
        const QString attachment = number.captured(1);
        const QString fifo = dir.filePath(u"fifo"_s);
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        auto events = [&] {
            const test::ProcessRun run = test::runCli({u"audit"_s, u"verify"_s, u"--json"_s, u"--db"_s, db});
            const QJsonObject o = QJsonDocument::fromJson(run.out.toUtf8()).object();
            return o.value(u"intact"_s).toBool() ? o.value(u"eventsChecked"_s).toInteger() : -1;
        };
        const qint64 before = events();
        QVERIFY(before > 0);

        const QStringList targets {db, db + u"-wal"_s, db + u"-shm"_s, db + u"-journal"_s, processing, u"/dev/null"_s, fifo};
        for (const QString &target : targets) {
            for (const bool force : {false, true}) {
                const QStringList forced = force ? QStringList {u"--force"_s} : QStringList();
                const QList<QStringList> commands {
                    QStringList {u"item"_s, u"export"_s, reference, u"1"_s, u"--out"_s, target} + forced,
                    QStringList {u"bundle"_s, u"build"_s, reference, u"--out"_s, target, u"--as"_s, u"alice"_s,
                        u"--processing-register"_s, processing}
                        + forced,
                    QStringList {u"request"_s, u"attachment"_s, reference, attachment, u"--out"_s, target} + forced,
                };
                for (const QStringList &command : commands) {
                    // The council's processing register, as the worker and officers configure it.
                    const test::ProcessRun run = test::runCli(
                        command + QStringList {u"--db"_s, db}, {{u"RIGHTSFLOW_PROCESSING_REGISTER"_s, processing}});
                    VERIFY_EXIT(run, 4);
                    QVERIFY2(run.err.contains(u"Rightsflow is using"_s) || run.err.contains(u"not a regular file"_s),
                        qPrintable(run.describe()));
                }
            }
        }
        QCOMPARE(events(), before);
        struct stat st {
        };
        QCOMPARE(::stat("/dev/null", &st), 0);
        QVERIFY(S_ISCHR(st.st_mode));
        QCOMPARE(::lstat(QFile::encodeName(fifo).constData(), &st), 0);
        QVERIFY(S_ISFIFO(st.st_mode));
        QVERIFY(!QFileInfo::exists(db + u"-journal"_s));
        QCOMPARE(
            readFile(processing), readFile(QStringLiteral(RIGHTSFLOW_SOURCE_DIR "/resources/processing-register.example.json")));

        // An existing file: exit 8 and a hint, unchanged; --force replaces it.
        const QString mine = dir.filePath(u"mine.txt"_s);
        QVERIFY(writeFile(mine, "the officer's own notes"));
        const test::ProcessRun refused
            = test::runCli({u"item"_s, u"export"_s, reference, u"2"_s, u"--out"_s, mine, u"--db"_s, db});
        VERIFY_EXIT(refused, 8);
        QVERIFY2(refused.err.contains(u"already exists"_s) && refused.err.contains(u"--force"_s), qPrintable(refused.describe()));
        QCOMPARE(readFile(mine), QByteArray("the officer's own notes"));
        const test::ProcessRun forced
            = test::runCli({u"item"_s, u"export"_s, reference, u"2"_s, u"--out"_s, mine, u"--force"_s, u"--db"_s, db});
        VERIFY_EXIT(forced, 0);
        QVERIFY(readFile(mine) != QByteArray("the officer's own notes"));
        QVERIFY(!readFile(mine).isEmpty());

        // A folder: the default name inside it.
        const QString folder = dir.filePath(u"exports"_s);
        QVERIFY(QDir().mkpath(folder));
        const test::ProcessRun intoFolder
            = test::runCli({u"item"_s, u"export"_s, reference, u"2"_s, u"--out"_s, folder, u"--db"_s, db});
        VERIFY_EXIT(intoFolder, 0);
        QCOMPARE(folderContents(folder), QStringList {reference + u"-item-2.txt"_s});
        QCOMPARE(readFile(QDir(folder).filePath(reference + u"-item-2.txt"_s)), readFile(mine));

        // The bundle the demo built is not overwritten by a build to the same folder.
        const test::ProcessRun rebuild = test::runCli({u"bundle"_s, u"build"_s, reference, u"--out"_s, dir.path(), u"--as"_s,
            u"alice"_s, u"--processing-register"_s, processing, u"--db"_s, db});
        VERIFY_EXIT(rebuild, 8);
        QCOMPARE(readFile(bundle), bundleBytes);
        QCOMPARE(events(), before);
    }

private:
    QTemporaryDir m_dir;
    QString m_register;
    QString m_config;
    std::unique_ptr<SqlStore> m_store;
};

QTEST_GUILESS_MAIN(TestSafeOutput)
#include "TestSafeOutput.moc"
