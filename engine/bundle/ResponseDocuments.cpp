// SPDX-License-Identifier: GPL-3.0-or-later
#include "ResponseDocuments.h"

#include <QAbstractTextDocumentLayout>
#include <QBuffer>
#include <QCoreApplication>
#include <QFont>
#include <QFontMetricsF>
#include <QGuiApplication>
#include <QLocale>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>

#include <algorithm>
#include <utility>

namespace rf {

using namespace Qt::StringLiterals;

namespace {

// ---------------------------------------------------------------------------
// Words shared by the letter and README.html

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

bool isPortability(const ResponseSummary &summary)
{
    return summary.right == u"portability"_s;
}

// British dates as a letter writes them: "27 November 2026".
QString britishDate(const QDate &date)
{
    if (!date.isValid())
        return u"date not recorded"_s;
    return QLocale(QLocale::English, QLocale::UnitedKingdom).toString(date, u"d MMMM yyyy"_s);
}

QString requestName(const ResponseSummary &summary)
{
    return isPortability(summary) ? u"data portability request"_s : u"subject access request"_s;
}

QString plural(qsizetype count, const QString &one, const QString &many)
{
    return QString::number(count) + u' ' + (count == 1 ? one : many);
}

QString fileSize(qint64 bytes)
{
    if (bytes < 1024)
        return plural(bytes, u"byte"_s, u"bytes"_s);
    return QLocale(QLocale::English, QLocale::UnitedKingdom).formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

// "A, B and C"
QString joinWithAnd(const QStringList &items)
{
    if (items.size() <= 1)
        return items.join(QString());
    return items.first(items.size() - 1).join(u", "_s) + u" and "_s + items.last();
}

QString htmlList(const QStringList &itemsHtml)
{
    if (itemsHtml.isEmpty())
        return {};
    QString html = u"<ul>\n"_s;
    for (const QString &item : itemsHtml)
        html += u"<li>"_s + item + u"</li>\n"_s;
    return html + u"</ul>\n"_s;
}

QStringList escapedAll(const QStringList &texts)
{
    QStringList escaped;
    for (const QString &text : texts)
        escaped << esc(text);
    return escaped;
}

QString paragraph(const QString &html)
{
    return u"<p>"_s + html + u"</p>\n"_s;
}

// Multi-line register text (addresses) as HTML lines.
QString lines(const QString &text)
{
    QStringList parts = text.split(u'\n', Qt::SkipEmptyParts);
    for (QString &part : parts)
        part = esc(part.trimmed());
    return parts.join(u"<br>"_s);
}

QString lawfulBasisWords(const QString &basis)
{
    if (basis == u"consent"_s)
        return u"your consent"_s;
    if (basis == u"contract"_s)
        return u"a contract with you, or steps you asked us to take before entering into one"_s;
    if (basis == u"legal-obligation"_s)
        return u"a legal obligation that applies to the council"_s;
    if (basis == u"vital-interests"_s)
        return u"the need to protect someone\u2019s life"_s;
    if (basis == u"public-task"_s)
        return u"a task we carry out in the public interest or in the exercise of our official authority"_s;
    if (basis == u"legitimate-interests"_s)
        return u"our legitimate interests"_s;
    return basis;
}

QString specialCategoryWords(const QString &category)
{
    static const QList<std::pair<QString, QString>> words {
        {u"racial-or-ethnic-origin"_s, u"Racial or ethnic origin"_s},
        {u"political-opinions"_s, u"Political opinions"_s},
        {u"religious-or-philosophical-beliefs"_s, u"Religious or philosophical beliefs"_s},
        {u"trade-union-membership"_s, u"Trade union membership"_s},
        {u"genetic"_s, u"Genetic information"_s},
        {u"biometric"_s, u"Biometric information used to identify you"_s},
        {u"health"_s, u"Health information"_s},
        {u"sex-life-or-sexual-orientation"_s, u"Sex life or sexual orientation"_s},
    };
    for (const auto &[id, text] : words) {
        if (id == category)
            return text;
    }
    return category;
}

QString systemLabel(const QString &name, const QString &department)
{
    if (department.isEmpty())
        return esc(name);
    return esc(name) + u" ("_s + esc(department) + u')';
}

QString exemptionCitation(const QString &title, const QString &provision)
{
    if (provision.isEmpty())
        return esc(title);
    return esc(title) + u" ("_s + esc(provision) + u')';
}

QString documentDescription(const EnclosedFile &file)
{
    QString text = u"from "_s + esc(file.sourceName);
    if (!file.category.isEmpty())
        text += u", "_s + esc(file.category);
    if (file.date.isValid())
        text += u", dated "_s + esc(britishDate(file.date));
    return text;
}

QList<EnclosedFile> redactedDocuments(const ResponseSummary &summary)
{
    QList<EnclosedFile> redacted;
    for (const EnclosedFile &file : summary.documents + summary.dataFiles) {
        if (file.disposition == u"redacted"_s)
            redacted << file;
    }
    return redacted;
}

// "What we have withheld and why": the same words in the letter and README.html,
// so the requester never reads two accounts of one decision. Items withheld in
// full are described by source, category and date, never by file name (a name
// can itself be third-party information).
QString withheldHtml(const ResponseSummary &summary)
{
    const QList<EnclosedFile> redacted = redactedDocuments(summary);
    if (summary.withheld.isEmpty() && redacted.isEmpty()) {
        return paragraph(u"We have not withheld anything. Everything we found is enclosed in full, and nothing has been "
                         u"removed from the documents we are sending you."_s);
    }

    QString html;
    // The reasons, once per exemption, in the order they are first cited.
    QStringList reasonTitles;
    QStringList reasons;
    const auto addReason = [&](const QString &title, const QString &provision, const QString &letter) {
        const QString key = title + u'\n' + provision;
        if (reasonTitles.contains(key))
            return;
        reasonTitles << key;
        reasons << exemptionCitation(title, provision) + u": "_s + esc(letter);
    };

    if (!summary.withheld.isEmpty()) {
        html += paragraph(u"We have withheld these items in full:"_s);
        QStringList items;
        for (const WithheldEntry &entry : summary.withheld) {
            QString item = u"Item "_s + QString::number(entry.item) + u": from "_s + esc(entry.sourceName);
            if (!entry.category.isEmpty())
                item += u", "_s + esc(entry.category);
            if (entry.date.isValid())
                item += u", dated "_s + esc(britishDate(entry.date));
            item += u". Exemption: "_s + exemptionCitation(entry.exemptionTitle, entry.exemptionProvision) + u'.';
            items << item;
            addReason(entry.exemptionTitle, entry.exemptionProvision, entry.exemptionLetter);
        }
        html += htmlList(items);
    } else {
        html += paragraph(u"We have not withheld any item in full."_s);
    }

    if (!redacted.isEmpty()) {
        html += paragraph(u"We have removed parts of these files (redacted them) before sending them to you:"_s);
        QStringList items;
        for (const EnclosedFile &file : redacted) {
            items << esc(file.path) + u", "_s + documentDescription(file) + u". Exemption: "_s
                    + exemptionCitation(file.exemptionTitle, file.exemptionProvision) + u'.';
            addReason(file.exemptionTitle, file.exemptionProvision, file.exemptionLetter);
        }
        html += htmlList(items);
    } else {
        html += paragraph(u"We have not removed anything from the documents we are sending you."_s);
    }

    html += paragraph(u"Why we have done this:"_s);
    html += htmlList(reasons);
    html += paragraph(
        u"If you think we were wrong to withhold or remove information, please tell us (see \u201cHow to contact us\u201d). "
        u"You can also complain to the Information Commissioner\u2019s Office."_s);
    return html;
}

// The words of a portability response about what is and is not in the files
// (Art 20(1) and 20(3)); shared by the letter and README.html.
QString portabilityIncludedHtml(const ResponseSummary &summary)
{
    QStringList systems;
    for (const SystemDisclosure &system : summary.systemsSearched) {
        if (system.portabilityApplies)
            systems << systemLabel(system.systemName, system.department);
    }
    QString html = paragraph(
        u"The right to data portability covers the personal information you gave us yourself, where we use it with your "
        u"consent or under a contract with you (Article 20(1) of the UK GDPR)."_s);
    if (summary.dataFiles.isEmpty() || systems.isEmpty()) {
        html += paragraph(u"We do not hold any information about you to which this right applies, so there is no data "
                          u"file with this letter."_s);
        return html;
    }
    html += paragraph(u"The data files hold the information you gave us in:"_s);
    html += htmlList(systems);
    return html;
}

QString portabilityExcludedHtml(const ResponseSummary &summary)
{
    QString html;
    if (summary.portabilityExcluded.isEmpty()) {
        html += paragraph(u"We have not left out any information to which the right to data portability applies."_s);
    } else {
        html += paragraph(u"We have not included:"_s);
        html += htmlList(escapedAll(summary.portabilityExcluded));
        html += paragraph(
            u"This is because the right to data portability does not cover information you did not give us yourself, or "
            u"information we use only where the law requires it. Nor does it apply where we use information to carry out "
            u"a task in the public interest or in the exercise of our official authority (Article 20(3) of the UK GDPR)."_s);
    }
    html += paragraph(u"You can still ask for a copy of all the personal information we hold about you by making a subject "
                      u"access request (Article 15 of the UK GDPR)."_s);
    return html;
}

QString complaintHtml(const SupplementaryInformation &info)
{
    const ComplaintAuthority &ico = info.complaints;
    QString html = paragraph(u"If you are unhappy with how we have handled your request or your personal information, "
                             u"please tell us: we would like the chance to put it right. You also have the right to "
                             u"complain to the "_s
        + esc(ico.name.isEmpty() ? u"Information Commissioner\u2019s Office"_s : ico.name)
        + u", the UK\u2019s independent regulator for data protection, at any time; you do not have to contact us "
          u"first."_s);
    QStringList contact;
    if (!ico.name.isEmpty())
        contact << esc(ico.name);
    if (!ico.address.isEmpty())
        contact << lines(ico.address);
    if (!ico.phone.isEmpty())
        contact << u"Telephone: "_s + esc(ico.phone);
    if (!ico.website.isEmpty())
        contact << u"Website: "_s + esc(ico.website);
    if (!contact.isEmpty())
        html += paragraph(contact.join(u"<br>"_s));
    html += paragraph(u"You can also apply to a court if you believe your rights under data protection law have been "
                      u"breached."_s);
    return html;
}

QString contactHtml(const ResponseSummary &summary)
{
    const DpoContact &dpo = summary.info.dpo;
    QString html = paragraph(u"If you have a question about this response, please contact our "_s
        + esc(dpo.name.isEmpty() ? u"Data Protection Officer"_s : dpo.name) + u" and quote our reference "_s
        + esc(summary.reference) + u'.');
    QStringList contact;
    if (!dpo.email.isEmpty())
        contact << u"E-mail: "_s + esc(dpo.email);
    if (!dpo.phone.isEmpty())
        contact << u"Telephone: "_s + esc(dpo.phone);
    if (!dpo.address.isEmpty())
        contact << u"Post: "_s + lines(dpo.address);
    if (!contact.isEmpty())
        html += paragraph(contact.join(u"<br>"_s));
    return html;
}

// ---------------------------------------------------------------------------
// The letter

// Headings are collected as they are written, so letterHeadings() cannot drift
// from what the letter says.
class LetterWriter
{
public:
    explicit LetterWriter(const ResponseSummary &summary)
        : m_summary(summary)
    { }

    void write();

    QString html;
    QStringList headings;

private:
    void heading(int level, const QString &text)
    {
        headings << text;
        const QString tag = u'h' + QString::number(level);
        html += u'<' + tag + u'>' + esc(text) + u"</"_s + tag + u">\n"_s;
    }
    void add(const QString &fragment) { html += fragment; }
    void systemHeading(const SystemDisclosure &system)
    {
        html += u"<p class=\"system\">"_s + systemLabel(system.systemName, system.department) + u"</p>\n"_s;
    }

    void letterhead();
    void searched();
    void sending();
    void supplementary();
    void signOff();

    const ResponseSummary &m_summary;
};

// QTextDocument renders a subset of CSS. Headings stay at normal weight: the
// whole letter uses one font face, so Qt's PDF writer embeds one font and the
// bytes do not depend on the per-process order in which it writes several.
const QString kLetterStyle
    = u"h1 { font-size: 16pt; font-weight: normal; color: #0b3d63; margin-top: 14px; margin-bottom: 8px; }\n"
      u"h2 { font-size: 13pt; font-weight: normal; color: #0b3d63; margin-top: 14px; margin-bottom: 6px; }\n"
      u"h3 { font-size: 11.5pt; font-weight: normal; color: #0b3d63; margin-top: 10px; margin-bottom: 4px; }\n"
      u"p { margin-top: 0px; margin-bottom: 6px; }\n"
      u"ul { margin-top: 0px; margin-bottom: 6px; }\n"
      u"li { margin-bottom: 2px; }\n"
      u"th { font-weight: normal; }\n"
      u"p.system { color: #0b3d63; margin-top: 6px; margin-bottom: 2px; }\n"
      u"p.letterhead { color: #0b3d63; }\n"_s;

void LetterWriter::write()
{
    const ResponseSummary &s = m_summary;
    const bool portability = isPortability(s);
    html += u"<html><head><meta charset=\"utf-8\"><title>"_s + esc(u"Response to "_s + s.reference) + u"</title><style>\n"_s
        + kLetterStyle + u"</style></head><body>\n"_s;
    letterhead();

    heading(1, portability ? u"Your data portability request"_s : u"Your subject access request"_s);
    const QString name = s.addresseeName.isEmpty() ? u"Sir or Madam"_s : s.addresseeName;
    add(paragraph(u"Dear "_s + esc(name) + u','));
    if (portability) {
        add(paragraph(u"Thank you for your request of "_s + esc(britishDate(s.received))
            + u" to receive the personal information you have given us in a form you can reuse or pass to another "
              u"organisation. This letter explains what we are sending you, what it includes and what it does not."_s));
    } else {
        add(paragraph(u"Thank you for your request of "_s + esc(britishDate(s.received))
            + u" for a copy of the personal information "_s
            + esc(s.info.controller.name.isEmpty() ? u"the council"_s : s.info.controller.name) + u" holds about you."_s));
        add(paragraph(u"We confirm that we use personal information about you. This letter tells you what we searched, "
                      u"what we are sending you and what we have withheld, and gives you the information the law says "
                      u"you must have about how we use your data (Article 15 of the UK GDPR)."_s));
    }
    if (s.actingForSubject) {
        add(paragraph(u"You made this request on behalf of "_s + esc(s.subjectName)
            + u". The information in this letter and in the enclosed files is about "_s + esc(s.subjectName)
            + u": where we write \u201cyou\u201d or \u201cyour data\u201d below, we mean "_s + esc(s.subjectName)
            + u" and their personal information."_s));
    }

    searched();
    sending();
    if (portability) {
        heading(2, u"What is included"_s);
        add(portabilityIncludedHtml(s));
        heading(2, u"What is not included and why"_s);
        add(portabilityExcludedHtml(s));
        if (!s.withheld.isEmpty() || !redactedDocuments(s).isEmpty()) {
            heading(2, u"What we have withheld and why"_s);
            add(withheldHtml(s));
        }
        heading(2, u"Moving your data to another organisation"_s);
        add(paragraph(u"You can give these files to another organisation yourself. You also have the right to ask us to "
                      u"send them directly to another organisation, where this is technically feasible (Article 20(2) "
                      u"of the UK GDPR). To do this, tell us which organisation and how to reach it, and quote our "
                      u"reference "_s
            + esc(s.reference) + u'.'));
        heading(2, u"Your right to complain to the ICO"_s);
        add(complaintHtml(s.info));
    } else {
        heading(2, u"What we have withheld and why"_s);
        add(withheldHtml(s));
        supplementary();
    }
    heading(2, u"How to contact us"_s);
    add(contactHtml(s));
    signOff();
    html += u"</body></html>\n"_s;
}

void LetterWriter::letterhead()
{
    const ResponseSummary &s = m_summary;
    const Controller &controller = s.info.controller;
    QStringList head;
    if (!controller.name.isEmpty())
        head << esc(controller.name);
    if (!controller.address.isEmpty())
        head << lines(controller.address);
    if (!controller.email.isEmpty())
        head << esc(controller.email);
    if (!controller.website.isEmpty())
        head << esc(controller.website);
    html += u"<p class=\"letterhead\" align=\"right\">"_s + head.join(u"<br>"_s) + u"</p>\n"_s;

    QStringList addressee;
    if (!s.addresseeName.isEmpty())
        addressee << esc(s.addresseeName);
    if (!s.addresseeAddress.isEmpty())
        addressee << lines(s.addresseeAddress);
    if (!s.addresseePostcode.isEmpty())
        addressee << esc(s.addresseePostcode);
    if (s.addresseeAddress.isEmpty() && s.addresseePostcode.isEmpty() && !s.addresseeEmail.isEmpty())
        addressee << u"By e-mail: "_s + esc(s.addresseeEmail);
    html += paragraph(addressee.join(u"<br>"_s));
    html += paragraph(esc(britishDate(s.letterDate)));
    html += paragraph(u"Our reference: "_s + esc(s.reference) + u"<br>Your request of "_s + esc(britishDate(s.received)));
}

void LetterWriter::searched()
{
    const ResponseSummary &s = m_summary;
    heading(2, u"What we searched"_s);
    if (!s.scope.trimmed().isEmpty())
        add(paragraph(u"You asked for: \u201c"_s + esc(s.scope.trimmed()) + u"\u201d"_s));
    add(paragraph(u"We made a reasonable and proportionate search of the council\u2019s records for information about you."_s));
    if (!s.searchRecord.trimmed().isEmpty())
        add(paragraph(u"We searched: "_s + esc(s.searchRecord.trimmed())));
    if (s.systemsSearched.isEmpty()) {
        add(paragraph(u"We did not find any personal information about you in the records we searched."_s));
        return;
    }
    add(paragraph(u"We found information about you in these systems (the council department responsible is in brackets):"_s));
    QStringList items;
    for (const SystemDisclosure &system : s.systemsSearched)
        items << systemLabel(system.systemName, system.department);
    add(htmlList(items));
}

void LetterWriter::sending()
{
    const ResponseSummary &s = m_summary;
    heading(2, u"What we are sending you"_s);
    add(paragraph(u"This letter comes with an archive of files. Open the file README.html in it first: it opens in any web "
                  u"browser, lists every file and explains what each one holds. The file manifest.json lets you check "
                  u"that no file has been changed since we made the archive."_s));
    if (s.documents.isEmpty() && s.dataFiles.isEmpty()) {
        add(paragraph(u"Apart from this letter, there are no documents or data files to send you."_s));
        return;
    }
    if (!s.documents.isEmpty()) {
        add(paragraph(u"Documents, in the folder documents:"_s));
        QStringList items;
        for (const EnclosedFile &file : s.documents) {
            QString item = esc(file.path) + u", "_s + documentDescription(file);
            if (file.disposition == u"redacted"_s)
                item += u" (parts removed; see \u201cWhat we have withheld and why\u201d)"_s;
            items << item;
        }
        add(htmlList(items));
    }
    if (!s.dataFiles.isEmpty()) {
        add(paragraph(u"Data, in the folder data. Each system\u2019s records are there twice: as JSON, a machine-readable "
                      u"format other organisations\u2019 software can import, and as CSV, which opens in a spreadsheet:"_s));
        QStringList items;
        for (const EnclosedFile &file : s.dataFiles) {
            items << esc(file.path) + u", from "_s + esc(file.sourceName) + u", "_s
                    + esc(plural(file.records, u"record"_s, u"records"_s));
        }
        add(htmlList(items));
    }
}

void LetterWriter::supplementary()
{
    const ResponseSummary &s = m_summary;
    const SupplementaryInformation &info = s.info;
    const QList<SystemDisclosure> &systems = info.systems;
    const QString nothingFound = paragraph(u"This does not apply: we did not find personal information about you."_s);

    heading(2, u"How we use your personal information"_s);
    add(paragraph(u"The law says you must have the information below (Article 15(1)(a) to (h) of the UK GDPR). It comes "
                  u"from the council\u2019s record of how each system uses personal information"_s
        + (info.registerVersion.isEmpty() ? QString() : u" (version "_s + esc(info.registerVersion) + u')') + u'.'));

    heading(3, u"(a) Why we use your data"_s);
    if (systems.isEmpty())
        add(nothingFound);
    for (const SystemDisclosure &system : systems) {
        systemHeading(system);
        add(htmlList(escapedAll(system.purposes)));
        QString basis = u"Our lawful basis: "_s + esc(lawfulBasisWords(system.lawfulBasis));
        if (!system.lawfulBasisArticle.isEmpty())
            basis += u" ("_s + esc(system.lawfulBasisArticle) + u" of the UK GDPR)"_s;
        basis += u'.';
        if (!system.lawfulBasisDetail.isEmpty())
            basis += u' ' + esc(system.lawfulBasisDetail);
        add(paragraph(basis));
    }

    heading(3, u"(b) The kinds of personal data"_s);
    if (systems.isEmpty())
        add(nothingFound);
    for (const SystemDisclosure &system : systems) {
        systemHeading(system);
        add(htmlList(escapedAll(system.categories)));
        for (const SpecialCategory &special : system.specialCategories) {
            add(paragraph(esc(specialCategoryWords(special.category))
                + u" is a special category of personal data, which the law protects more strongly. We may hold it on "
                  u"this condition: "_s
                + esc(special.condition)));
        }
    }

    heading(3, u"(c) Who we share it with"_s);
    if (systems.isEmpty())
        add(nothingFound);
    for (const SystemDisclosure &system : systems) {
        systemHeading(system);
        if (system.recipients.isEmpty())
            add(paragraph(u"We do not share this information with anyone outside the council."_s));
        else
            add(htmlList(escapedAll(system.recipients)));
    }
    if (!systems.isEmpty()) {
        if (info.internationalTransfers.isEmpty()) {
            add(paragraph(u"We do not send your information outside the United Kingdom."_s));
        } else {
            add(paragraph(u"Transfers outside the United Kingdom, and how your information is protected:"_s));
            QStringList items;
            for (const SystemDisclosure &system : systems) {
                const QString transfers = system.internationalTransfers.trimmed();
                if (!transfers.isEmpty() && transfers.compare(u"none"_s, Qt::CaseInsensitive) != 0)
                    items << esc(system.systemName) + u": "_s + esc(transfers);
            }
            add(htmlList(items));
        }
    }

    heading(3, u"(d) How long we keep it"_s);
    if (systems.isEmpty())
        add(nothingFound);
    else {
        QStringList items;
        for (const SystemDisclosure &system : systems)
            items << esc(system.systemName) + u": "_s + esc(system.retention)
                    + (system.retention.endsWith(u'.') ? u""_s : u"."_s);
        add(htmlList(items));
    }

    heading(3, u"(e) Your other rights"_s);
    QStringList rights;
    rights << u"Rectification: you can ask us to correct information that is wrong, and to complete information that is "
              u"incomplete, for example by adding a statement from you."_s;
    QStringList erasureLimited;
    QStringList objection;
    QStringList consent;
    for (const SystemDisclosure &system : systems) {
        if (system.erasureLimitedByLaw)
            erasureLimited << esc(system.systemName);
        if (system.objectionApplies)
            objection << esc(system.systemName);
        if (system.consentCanBeWithdrawn)
            consent << esc(system.systemName);
    }
    QString erasure = u"Erasure: you can ask us to delete your information."_s;
    if (!erasureLimited.isEmpty()) {
        erasure += u" We may have to refuse to delete what we hold in "_s + joinWithAnd(erasureLimited)
            + u" while we need it to meet a legal obligation or to carry out our public tasks (Article 17(3)(b) of the "
              u"UK GDPR); if we refuse, we will tell you why."_s;
    }
    rights << erasure;
    rights << u"Restriction: you can ask us to limit what we do with your information, for example while we check whether "
              u"it is accurate. We will then keep it but not otherwise use it without your agreement."_s;
    if (objection.isEmpty()) {
        rights << u"Objection: the right to object (Article 21 of the UK GDPR) applies only where we use information for a "
                  u"public task or our legitimate interests, which is not the case for the systems that hold your "
                  u"information."_s;
    } else {
        rights << u"Objection: you can object to our use of your information in "_s + joinWithAnd(objection)
                + u", because of your particular situation. We must then stop, unless we can show compelling legitimate "
                  u"grounds that override your interests, or we need the information for legal claims."_s;
    }
    if (!consent.isEmpty()) {
        rights << u"Consent: where we rely on your consent ("_s + joinWithAnd(consent)
                + u"), you can withdraw it at any time. This does not affect what we did before you withdrew it."_s;
    }
    add(htmlList(rights));
    add(paragraph(u"To use any of these rights, contact us as described under \u201cHow to contact us\u201d."_s));

    heading(3, u"(f) Your right to complain to the ICO"_s);
    add(complaintHtml(info));

    heading(3, u"(g) Where we got your data"_s);
    if (systems.isEmpty())
        add(nothingFound);
    else if (info.sources.isEmpty())
        add(paragraph(u"Everything we hold about you in these systems came from you."_s));
    else {
        for (const SystemDisclosure &system : systems) {
            systemHeading(system);
            if (system.sources.isEmpty()) {
                add(paragraph(u"Everything in this system came from you."_s));
            } else {
                add(paragraph(u"Information you gave us, and information from:"_s));
                add(htmlList(escapedAll(system.sources)));
            }
        }
    }

    heading(3, u"(h) Automated decision-making"_s);
    if (systems.isEmpty())
        add(nothingFound);
    else {
        if (info.automatedDecisionSystems.isEmpty()) {
            add(paragraph(u"None of the systems that hold your information makes decisions about you by automated means "
                          u"alone: a person is involved in every decision."_s));
        }
        for (const SystemDisclosure &system : systems) {
            const AutomatedDecision &decision = system.automatedDecision;
            if (!decision.used && decision.note.isEmpty())
                continue;
            systemHeading(system);
            if (decision.used) {
                add(paragraph(u"We make decisions about you by automated means alone. How it works: "_s + esc(decision.logic)));
                add(paragraph(u"What it means for you: "_s + esc(decision.significance)));
                add(paragraph(u"You can ask us about such a decision, make representations about it, ask for a person to "
                              u"look at it again and contest it (Articles 22A to 22D of the UK GDPR)."_s));
            } else {
                add(paragraph(u"We do not make decisions about you by automated means alone. "_s + esc(decision.note)));
            }
        }
    }
}

void LetterWriter::signOff()
{
    const ResponseSummary &s = m_summary;
    const QString council = s.info.controller.name.isEmpty() ? u"the council"_s : s.info.controller.name;
    add(paragraph(u"Yours sincerely,"_s));
    QStringList sign;
    sign << esc(s.officerName.isEmpty() ? u"Information Governance Team"_s : s.officerName);
    sign << u"for "_s + esc(council);
    add(paragraph(sign.join(u"<br>"_s)));
}

// ---------------------------------------------------------------------------
// letter.pdf

const QString kLetterFontFamily = u"DejaVu Sans"_s;

QFont letterFont(qreal pointSize)
{
    QFont font(kLetterFontFamily);
    font.setStyleHint(QFont::SansSerif);
    font.setPointSizeF(pointSize);
    // A letter spacing other than zero makes Qt's shaper leave out the optional
    // ligatures (fi, ffi: "Office"), so text copied or extracted from the PDF
    // reads as written rather than as U+FB03 and friends; scripts that need
    // their ligatures keep them. The spacing itself is a few 1/64ths of a
    // device pixel, invisible. Qt 6.4 has no QFont::setFeature() to say it directly.
    font.setLetterSpacing(QFont::AbsoluteSpacing, 0.05);
    return font;
}

// Qt 6.4 writes the Info dictionary's "/CreationDate (D:yyyyMMddhhmmss...)"
// from the current local time: "Z" when the local offset is zero, "+01'00'"
// and the like otherwise. We always write the stamp in UTC as
// "D:yyyyMMddhhmmssZ", so the bytes do not depend on when or in which time
// zone the letter was typeset. When that changes the length (an offset form),
// the objects after it move and we shift their cross-reference entries to
// match, so the file stays valid.
Result<QByteArray> stampCreationDate(QByteArray pdf, const QDateTime &stamp, const QString &what)
{
    static const QRegularExpression pattern(u"/CreationDate \\((D:\\d{14}(?:Z|[+-]\\d{2}'\\d{2}'))\\)"_s);
    // Latin-1 maps each byte to one character, so positions carry over.
    const QString text = QString::fromLatin1(pdf);
    QList<QRegularExpressionMatch> matches;
    for (QRegularExpressionMatchIterator it = pattern.globalMatch(text); it.hasNext();)
        matches << it.next();
    if (matches.size() != 1) {
        return makeError(ErrorCode::Unsupported,
            u"%1: expected one /CreationDate in the PDF Qt wrote, found %2; this Qt version writes PDF metadata "
            u"differently, so the letter cannot be made reproducible (update ResponseDocuments for it)"_s.arg(
                what, QString::number(matches.size())));
    }
    const qsizetype datePos = matches.first().capturedStart(1);
    const qsizetype oldLength = matches.first().capturedLength(1);
    const QByteArray newDate = "D:" + stamp.toUTC().toString(u"yyyyMMddhhmmss"_s).toLatin1() + 'Z';
    const qsizetype delta = newDate.size() - oldLength;

    if (delta != 0) {
        const auto broken = [&what](const QString &problem) {
            return makeError(ErrorCode::Unsupported,
                u"%1: cannot set the PDF creation date: %2 in the PDF Qt wrote (update ResponseDocuments for this Qt "
                u"version)"_s.arg(what, problem));
        };
        const qsizetype startxref = pdf.lastIndexOf("startxref");
        if (startxref < 0)
            return broken(u"no startxref"_s);
        qsizetype numberStart = startxref + qsizetype(qstrlen("startxref"));
        while (numberStart < pdf.size()
            && (pdf.at(numberStart) == '\n' || pdf.at(numberStart) == '\r' || pdf.at(numberStart) == ' '))
            ++numberStart;
        qsizetype numberEnd = numberStart;
        while (numberEnd < pdf.size() && pdf.at(numberEnd) >= '0' && pdf.at(numberEnd) <= '9')
            ++numberEnd;
        bool ok = false;
        const qsizetype xrefPos = pdf.mid(numberStart, numberEnd - numberStart).toLongLong(&ok);
        if (!ok || xrefPos <= datePos || !pdf.mid(xrefPos).startsWith("xref"))
            return broken(u"startxref does not point at a cross-reference table"_s);

        // Edit from the end backwards, so every edit keeps the positions of the earlier ones.
        pdf.replace(numberStart, numberEnd - numberStart, QByteArray::number(xrefPos + delta));

        // Subsections of "first count" lines, each followed by 20-byte entries "oooooooooo ggggg n \n".
        qsizetype pos = pdf.indexOf('\n', xrefPos) + 1;
        static const QRegularExpression subsection(u"^(\\d+) (\\d+)\\s*$"_s);
        while (pos > 0 && pos < pdf.size() && !pdf.mid(pos).startsWith("trailer")) {
            const qsizetype lineEnd = pdf.indexOf('\n', pos);
            if (lineEnd < 0)
                return broken(u"the cross-reference table ends early"_s);
            const QRegularExpressionMatch header = subsection.match(QString::fromLatin1(pdf.mid(pos, lineEnd - pos)));
            if (!header.hasMatch())
                return broken(u"unexpected cross-reference subsection"_s);
            const qsizetype count = header.captured(2).toLongLong();
            pos = lineEnd + 1;
            for (qsizetype i = 0; i < count; ++i, pos += 20) {
                if (pos + 20 > pdf.size() || pdf.at(pos + 10) != ' ' || pdf.at(pos + 16) != ' ')
                    return broken(u"malformed cross-reference entry"_s);
                if (pdf.at(pos + 17) != 'n')
                    continue;
                const qsizetype offset = pdf.mid(pos, 10).toLongLong(&ok);
                if (!ok)
                    return broken(u"malformed cross-reference offset"_s);
                if (offset > datePos)
                    pdf.replace(pos, 10, QByteArray::number(offset + delta).rightJustified(10, '0'));
            }
        }
        if (pos <= 0 || pos >= pdf.size())
            return broken(u"no trailer after the cross-reference table"_s);
    }
    pdf.replace(datePos, oldLength, newDate);
    return pdf;
}

} // namespace

QStringList ResponseDocuments::letterHeadings(const ResponseSummary &summary)
{
    LetterWriter writer(summary);
    writer.write();
    return writer.headings;
}

QString ResponseDocuments::letterHtml(const ResponseSummary &summary)
{
    LetterWriter writer(summary);
    writer.write();
    return writer.html;
}

namespace {

// Where the pages of a document laid out as one long page begin, and where the
// last ends: each page holds at most `pageHeight` and breaks above the first
// paragraph that would cross its bottom, or, for a paragraph taller than a
// page, above its first line that would. (A paragraph is drawn whole wherever
// part of it shows, so a break inside one repeats its text in the PDF.)
QList<qreal> pageCuts(const QTextDocument &document, qreal pageHeight)
{
    struct Span {
        qreal top;
        qreal bottom;
        QList<qreal> lineTops;
    };
    QList<Span> blocks;
    QAbstractTextDocumentLayout *layout = document.documentLayout();
    for (QTextBlock block = document.begin(); block.isValid(); block = block.next()) {
        const QRectF box = layout->blockBoundingRect(block);
        Span span {box.top(), box.bottom(), {}};
        const QTextLayout *text = block.layout();
        for (int i = 0; text && i < text->lineCount(); ++i)
            span.lineTops.append(box.top() + text->lineAt(i).y());
        blocks.append(span);
    }
    const qreal total = layout->documentSize().height();
    QList<qreal> cuts {0};
    qreal at = 0;
    while (at + pageHeight < total) {
        const qreal limit = at + pageHeight;
        qreal next = limit;
        for (const Span &block : blocks) {
            if (block.top < limit && block.bottom > limit) {
                if (block.top > at) {
                    next = qMin(next, block.top);
                } else {
                    // Taller than what is left of the page: break between its lines.
                    for (const qreal lineTop : block.lineTops) {
                        if (lineTop > at && lineTop < limit)
                            next = qMin(next, std::max(lineTop, at + 1));
                    }
                }
            }
        }
        cuts.append(next);
        at = next;
    }
    cuts.append(total);
    return cuts;
}

} // namespace

Result<QByteArray> ResponseDocuments::letterPdf(const ResponseSummary &summary, const QDateTime &stamp)
{
    const QString what = u"letter.pdf for "_s + summary.reference;
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance())) {
        return makeError(ErrorCode::Unsupported,
            what
                + u": typesetting the letter needs a QGuiApplication (Qt's PDF writer lays text out with Qt GUI fonts); "
                  u"create one before building a bundle, on the offscreen platform if there is no display "
                  u"(QT_QPA_PLATFORM=offscreen)"_s);
    }
    if (summary.right != u"access"_s && summary.right != u"portability"_s) {
        return makeError(ErrorCode::Invalid,
            what + u": a response letter is written for the rights \"access\" and \"portability\", not \""_s + summary.right
                + u"\""_s);
    }
    if (!stamp.isValid())
        return makeError(ErrorCode::Invalid, what + u": the creation date (stamp) is not a valid date and time"_s);

    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
        writer.setPageLayout(
            QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(20, 20, 20, 20), QPageLayout::Millimeter));
        writer.setTitle(u"Response to "_s + summary.reference);
        writer.setCreator(u"Rightsflow"_s);

        QTextDocument document;
        document.setDefaultFont(letterFont(10));
        document.setDocumentMargin(0);
        document.documentLayout()->setPaintDevice(&writer);
        document.setHtml(letterHtml(summary));

        // The writer's paint area is the page inside the margins, in device units.
        const QFont footerFont = letterFont(8);
        const QFontMetricsF footerMetrics(footerFont, &writer);
        const qreal width = writer.width();
        const qreal footerHeight = footerMetrics.height() * 2;
        const qreal bodyHeight = writer.height() - footerHeight;
        // One long page, cut between lines: a page ends before the first line
        // that would not fit whole, so no line is split by a page break or
        // drawn twice (QTextDocument's own pagination lets list lines cross
        // the break, which shows half a line and repeats its text).
        document.setTextWidth(width);
        const QList<qreal> cuts = pageCuts(document, bodyHeight);
        const int pages = int(cuts.size()) - 1;

        QPainter painter;
        if (!painter.begin(&writer))
            return makeError(ErrorCode::Storage, what + u": Qt's PDF writer could not start a page"_s);
        QAbstractTextDocumentLayout::PaintContext context;
        context.palette.setColor(QPalette::Text, Qt::black);
        for (int page = 0; page < pages; ++page) {
            if (page > 0)
                writer.newPage();
            painter.save();
            const QRectF body(0, cuts.at(page), width, cuts.at(page + 1) - cuts.at(page));
            painter.translate(0, -body.top());
            painter.setClipRect(body);
            // The layout draws every paragraph that touches its clip, edges
            // included: keep the one that starts where the page ends off it.
            context.clip = body.adjusted(0, 1, 0, -1);
            document.documentLayout()->draw(&painter, context);
            painter.restore();

            painter.setFont(footerFont);
            painter.setPen(QColor(0x50, 0x5a, 0x5f));
            const QRectF footer(0, writer.height() - footerMetrics.height(), width, footerMetrics.height());
            painter.drawText(footer, Qt::AlignLeft | Qt::AlignVCenter, u"Our reference: "_s + summary.reference);
            painter.drawText(footer, Qt::AlignRight | Qt::AlignVCenter,
                u"Page "_s + QString::number(page + 1) + u" of "_s + QString::number(pages));
        }
        painter.end();
    }
    return stampCreationDate(buffer.data(), stamp, what);
}

// ---------------------------------------------------------------------------
// README.html

namespace {

// Self-contained: no url(), no @import, no web fonts; the system's own fonts.
const QString kReadmeStyle = u"body { font-family: system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, "
                             u"sans-serif; font-size: 1rem; line-height: 1.5; color: #1b1b1b; background: #ffffff; "
                             u"max-width: 46rem; margin: 0 auto; padding: 1rem; }\n"
                             u"h1 { font-size: 1.6rem; line-height: 1.25; color: #0b3d63; }\n"
                             u"h2 { font-size: 1.3rem; margin-top: 2rem; color: #0b3d63; border-bottom: 1px solid #b1b4b6; }\n"
                             u"h3 { font-size: 1.1rem; margin-top: 1.5rem; }\n"
                             u"code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; "
                             u"overflow-wrap: anywhere; }\n"
                             u".scroll { overflow-x: auto; }\n"
                             u"table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }\n"
                             u"th, td { border: 1px solid #b1b4b6; padding: 0.4rem 0.5rem; text-align: left; "
                             u"vertical-align: top; }\n"
                             u"th { background: #f3f2f1; }\n"
                             u"@media (prefers-color-scheme: dark) {\n"
                             u"  body { color: #f3f2f1; background: #121212; }\n"
                             u"  h1, h2 { color: #8ec5ff; }\n"
                             u"  th { background: #2b2b2b; }\n"
                             u"}\n"_s;

QString code(const QString &text)
{
    return u"<code>"_s + esc(text) + u"</code>"_s;
}

QString table(const QStringList &headers, const QList<QStringList> &rowsHtml)
{
    QString html = u"<div class=\"scroll\"><table>\n<thead><tr>"_s;
    for (const QString &header : headers)
        html += u"<th scope=\"col\">"_s + esc(header) + u"</th>"_s;
    html += u"</tr></thead>\n<tbody>\n"_s;
    for (const QStringList &row : rowsHtml) {
        html += u"<tr>"_s;
        for (const QString &cell : row)
            html += u"<td>"_s + cell + u"</td>"_s;
        html += u"</tr>\n"_s;
    }
    return html + u"</tbody>\n</table></div>\n"_s;
}

QString dataFormat(const QString &path)
{
    if (path.endsWith(u".json"_s, Qt::CaseInsensitive))
        return u"JSON (for software)"_s;
    if (path.endsWith(u".csv"_s, Qt::CaseInsensitive))
        return u"CSV (opens in a spreadsheet)"_s;
    return u"Data"_s;
}

} // namespace

QByteArray ResponseDocuments::readmeHtml(const ResponseSummary &summary)
{
    const ResponseSummary &s = summary;
    const bool portability = isPortability(s);
    const QString council = s.info.controller.name.isEmpty() ? u"the council"_s : s.info.controller.name;
    QString html;
    html += u"<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
            u"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"_s
        + esc(u"Your response from "_s + council + u" ("_s + s.reference + u')') + u"</title>\n<style>\n"_s + kReadmeStyle
        + u"</style>\n</head>\n<body>\n<main>\n"_s;

    html += u"<h1>"_s + esc(u"Your response from "_s + council) + u"</h1>\n"_s;
    html += u"<h2>What this archive is</h2>\n"_s;
    QString intro = u"This archive is "_s + esc(council) + u"\u2019s response to the "_s + esc(requestName(s)) + u" of "_s
        + esc(britishDate(s.received));
    if (!s.addresseeName.isEmpty())
        intro += u" from "_s + esc(s.addresseeName);
    intro += u". Our reference is "_s + esc(s.reference) + u": please quote it if you contact us about it."_s;
    html += paragraph(intro);
    if (s.actingForSubject) {
        html += paragraph(u"The request was made on behalf of "_s + esc(s.subjectName)
            + u". The information in this archive is about "_s + esc(s.subjectName) + u'.');
    }

    html += u"<h2>How to open it</h2>\n"_s;
    html += paragraph(u"If you can read this page, the archive is already open. Start with the covering letter, "_s
        + code(u"letter.pdf"_s)
        + u", which opens in any PDF reader or web browser. Documents open in the program that suits their type. "
          u"JSON files are meant for software, for example to move your data to another organisation; CSV files hold "
          u"the same records and open in a spreadsheet program such as LibreOffice Calc, Microsoft Excel or Apple "
          u"Numbers."_s);

    html += u"<h2>The files in this archive</h2>\n"_s;
    html += table({u"File"_s, u"What it is"_s},
        {
            {code(u"README.html"_s), u"This page: what the archive holds and how to use it."_s},
            {code(u"letter.pdf"_s),
                portability ? u"Our covering letter: what we are sending you, what is included and what is not, and your "
                              u"rights."_s
                            : u"Our covering letter: what we searched, what we are sending you, what we have withheld and "
                              u"why, and how we use your information."_s},
            {code(u"manifest.json"_s),
                u"A list of every other file in the archive with its size and SHA-256 checksum, for checking that nothing "
                u"has been changed or lost since we made the archive."_s},
        });

    html += u"<h3>Documents (the folder <code>documents</code>)</h3>\n"_s;
    if (s.documents.isEmpty()) {
        html += paragraph(u"There are no documents in this archive."_s);
    } else {
        QList<QStringList> rows;
        for (const EnclosedFile &file : s.documents) {
            QString status;
            if (file.disposition == u"redacted"_s) {
                status = u"Parts removed: "_s + exemptionCitation(file.exemptionTitle, file.exemptionProvision) + u". "_s
                    + esc(file.exemptionLetter);
            } else {
                status = u"Disclosed in full"_s;
            }
            QString source = esc(file.sourceName);
            if (!file.category.isEmpty())
                source += u", "_s + esc(file.category);
            rows << QStringList {code(file.path), source, esc(file.date.isValid() ? britishDate(file.date) : u"Not known"_s),
                esc(fileSize(file.size)), status};
        }
        html += table({u"File"_s, u"From"_s, u"Date"_s, u"Size"_s, u"Disclosed or redacted"_s}, rows);
    }

    html += u"<h3>Data (the folder <code>data</code>)</h3>\n"_s;
    if (s.dataFiles.isEmpty()) {
        html += paragraph(u"There are no data files in this archive."_s);
    } else {
        html += paragraph(u"The records we hold about you in each system, as JSON and as CSV. Both files of a system hold the "
                          u"same records: the CSV file\u2019s columns are the JSON file\u2019s keys."_s);
        QList<QStringList> rows;
        for (const EnclosedFile &file : s.dataFiles) {
            rows << QStringList {code(file.path), esc(dataFormat(file.path)), esc(file.sourceName),
                esc(plural(file.records, u"record"_s, u"records"_s))};
        }
        html += table({u"File"_s, u"Format"_s, u"From"_s, u"Records"_s}, rows);

        // One column table per system and column list, naming the files it describes.
        QList<qsizetype> described;
        for (qsizetype i = 0; i < s.dataFiles.size(); ++i) {
            if (described.contains(i))
                continue;
            const EnclosedFile &file = s.dataFiles.at(i);
            QStringList paths;
            for (qsizetype j = i; j < s.dataFiles.size(); ++j) {
                const EnclosedFile &other = s.dataFiles.at(j);
                const bool sameColumns = other.columns.size() == file.columns.size()
                    && std::equal(other.columns.cbegin(), other.columns.cend(), file.columns.cbegin(),
                        [](const DataColumn &a, const DataColumn &b) {
                            return a.name == b.name && a.description == b.description;
                        });
                if (other.sourceId == file.sourceId && sameColumns) {
                    described << j;
                    paths << code(other.path);
                }
            }
            html += u"<h4>"_s + esc(u"What the columns mean: "_s + file.sourceName) + u"</h4>\n"_s;
            html += paragraph(u"For "_s + paths.join(u" and "_s) + u'.');
            if (file.columns.isEmpty()) {
                html += paragraph(u"This file has no columns."_s);
                continue;
            }
            QList<QStringList> columnRows;
            for (const DataColumn &column : file.columns)
                columnRows << QStringList {code(column.name), esc(column.description)};
            html += table({u"Column"_s, u"What it holds"_s}, columnRows);
        }
    }

    html += u"<h3>Checking that nothing was changed</h3>\n"_s;
    html += paragraph(code(u"manifest.json"_s)
        + u" lists the SHA-256 checksum of every file. To check a file, work out its checksum and compare it with the "
          u"manifest: on Windows, "_s
        + code(u"certutil -hashfile FILE SHA256"_s) + u"; on macOS or Linux, "_s + code(u"shasum -a 256 FILE"_s)
        + u". If a checksum differs, the file is not the one we sent."_s);

    if (portability) {
        html += u"<h2>What is included</h2>\n"_s + portabilityIncludedHtml(s);
        html += u"<h2>What is not included and why</h2>\n"_s + portabilityExcludedHtml(s);
        if (!s.withheld.isEmpty() || !redactedDocuments(s).isEmpty())
            html += u"<h2>What we have withheld and why</h2>\n"_s + withheldHtml(s);
    } else {
        html += u"<h2>What we have withheld and why</h2>\n"_s + withheldHtml(s);
    }
    html += u"<h2>Your right to complain to the ICO</h2>\n"_s + complaintHtml(s.info);
    html += u"<h2>How to contact us</h2>\n"_s + contactHtml(s);
    html += u"</main>\n</body>\n</html>\n"_s;
    return html.toUtf8();
}

} // namespace rf
