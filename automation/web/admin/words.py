"""The library's messages (one English line, as the command line prints them) said in plain Russian or Kyrgyz
for the console: the problems of roster add/edit/import/leave/rejoin, forms extend/close/remind, mail
hold/release/send, console accounts and school scoring.  :func:`automation.web.admin.reasons.plain_reason` asks
these patterns after the ledger's; a message no pattern knows is shown as it is (the page says it is in English).

Each pattern follows a message of the library (the module is named beside it); the named groups are put into
the texts, and a group named ``what`` or ``why`` is itself put in plain words.  A test checks them against the
real messages (tests/test_web_admin.py).
"""

from __future__ import annotations

import re

from automation.model import ROLES
from automation.reasons import Patterns, say

#: (pattern, ru, ky) for whole messages or single problems (said by :func:`automation.reasons.say`).
PATTERNS: Patterns = [
    # automation/roster.py validate_person, field_problems
    (re.compile(r"^name is empty$"), "ФИО не заполнено.", "Аты-жөнү толтурулган эмес."),
    (re.compile(r"^email is empty$"), "E-mail не заполнен.", "E-mail толтурулган эмес."),
    (re.compile(r"^email (?P<v>.*) is not a valid e-mail address$"),
     "E-mail {v} — это не адрес электронной почты.", "E-mail {v} — электрондук почтанын дареги эмес."),
    (re.compile(r"^oblast (?P<v>.*) is unknown \(use one of: (?P<list>.*)\)$"),
     "Область {v} не найдена: выберите одну из: {list}.", "{v} облусу табылган жок: булардын бирин тандаңыз: {list}."),
    (re.compile(r"^role (?P<v>.*) is unknown[ :(]+use one of:? (?P<list>[^);]*)(?:\)|; nothing was changed)?$"),
     "Роль {v} не найдена: выберите одну из: {list}.", "{v} ролу табылган жок: булардын бирин тандаңыз: {list}."),
    (re.compile(r"^language (?P<v>.*) must be ky or ru$"),
     "Язык {v}: укажите ky (кыргызский) или ru (русский).", "Тил {v}: ky (кыргызча) же ru (орусча) деп жазыңыз."),
    (re.compile(r"^sex (?P<v>.*) must be f or m$"), "Пол {v}: укажите f (ж) или m (м).", "Жынысы {v}: f (а) же m (э)."),
    (re.compile(r"^phone (?P<v>.*) does not look like a phone number"),
     "Телефон {v} не похож на номер телефона (пример: +996 555 123 456).",
     "Телефон {v} телефон номерине окшобойт (мисалы: +996 555 123 456)."),
    (re.compile(r"^(?:--\w+: )?the (?P<f>\w+) has (?P<n>\d+) characters, at most (?P<max>\d+)"),
     "Поле {f}: {n} знаков, допускается не больше {max} (тот ли это столбец?).",
     "{f} талаасы: {n} белги, {max} ашпашы керек (туура тилкеби?)."),
    (re.compile(r"^(?:--\w+: )?control character (?P<c>U\+\w+) at character (?P<n>\d+) of the (?P<f>\w+)"),
     "Поле {f}: невидимый служебный знак {c} на месте {n} — удалите его.",
     "{f} талаасы: {n}-орунда көрүнбөгөн кызматтык белги {c} — аны өчүрүңүз."),
    # automation/jobs/roster.py
    (re.compile(r"^(?P<e>\S+) belongs to «(?P<n>.*)», who left the club on (?P<d>[\d-]*)"),
     "{e} — адрес «{n}», она вышла из клуба {d}. Ничего не изменено. Верните её кнопкой «Вернуть в клуб».",
     "{e} — «{n}» дареги, ал {d} клубдан чыккан. Эч нерсе өзгөргөн жок. «Клубга кайтаруу» баскычы менен кайтарыңыз."),
    (re.compile(r"^(?P<e>\S+) is already in the roster as «(?P<n>.*?)»"),
     "{e} уже есть в списке: «{n}». Ничего не изменено; если это она — измените её запись.",
     "{e} тизмеде бар: «{n}». Эч нерсе өзгөргөн жок; эгер бул ал болсо — жазуусун өзгөртүңүз."),
    (re.compile(r"^(?P<e>\S+) is not in the roster"), "{e} нет в списке участниц. Ничего не изменено.",
     "{e} катышуучулар тизмесинде жок. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^(?P<e>\S+) \((?P<n>.*)\) is a member already"), "{n} ({e}) и так в клубе. Ничего не изменено.",
     "{n} ({e}) клубда эле. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^(?P<e>\S+) has left the club: rejoin her first"),
     "{e} вышла из клуба: сначала верните её в клуб, потом меняйте. Ничего не изменено.",
     "{e} клубдан чыккан: адегенде клубга кайтарыңыз, анан өзгөртүңүз. Эч нерсе өзгөргөн жок."),
    # automation/web/admin/roster.py, automation/roster.py (the file itself)
    (re.compile(r"^choose the roster CSV file first"), "Сначала выберите файл списка (CSV). Ничего не загружено.",
     "Адегенде тизменин файлын (CSV) тандаңыз. Эч нерсе жүктөлгөн жок."),
    (re.compile(r"^the file is larger than (?P<kb>\d+) KB"),
     "Файл больше {kb} КБ — это точно список участниц (CSV)? Ничего не загружено.",
     "Файл {kb} КБдан чоң — бул чын эле катышуучулардын тизмеси (CSV)би? Эч нерсе жүктөлгөн жок."),
    (re.compile(r"^this is an Excel workbook"),
     "Это книга Excel (.xlsx), а не CSV: в Excel выберите «Сохранить как» → «CSV UTF-8».",
     "Бул Excel китеби (.xlsx), CSV эмес: Excelде «Сактоо» → «CSV UTF-8» тандаңыз."),
    (re.compile(r"^this is not a text CSV file"), "Это не текстовый файл CSV (похоже на картинку или другой файл).",
     "Бул текст CSV файлы эмес (сүрөткө же башка файлга окшош)."),
    (re.compile(r"^the file is empty"), "Файл пустой: нужна строка заголовков и по строке на участницу.",
     "Файл бош: башкы сап жана ар бир катышуучуга бир сап керек."),
    (re.compile(r"^the file has a header but no participants"), "В файле есть заголовки, но нет участниц.",
     "Файлда башкы сап бар, бирок катышуучулар жок."),
    (re.compile(r"^email (?P<e>\S+) is already on line (?P<n>\d+)$"), "E-mail {e} уже есть в строке {n}.",
     "E-mail {e} {n}-сапта мурунтан бар."),
    (re.compile(r"^(?P<n>\d+) cells, but the header has (?P<h>\d+)"),
     "{n} ячеек, а в заголовке {h} (запятая внутри значения должна быть в кавычках, или не хватает запятой?).",
     "{n} уячык, ал эми башкы сапта {h} (маанинин ичиндеги үтүр тырмакчада болушу керек, же үтүр жетпейби?)."),
    (re.compile(r"^column (?P<c>\d+) «(?P<h>.*?)»: (?P<what>.*)$"), "столбец {c} «{h}»: {what}", "{c}-тилке «{h}»: {what}"),
    (re.compile(r"^email (?P<e>\S+) appears twice$"), "E-mail {e} встречается дважды.", "E-mail {e} эки жолу кездешет."),
    # automation/manual.py
    (re.compile(r"^the new deadline (?P<new>[\d-]+ [\d:]+) \(Asia/Bishkek\) must be later than the current one "
                r"\((?P<cur>[\d-]+ [\d:]+)\)"),
     "Новый срок {new} должен быть позже текущего ({cur}) и позже, чем сейчас. Ничего не изменено.",
     "Жаңы мөөнөт {new} азыркы мөөнөттөн ({cur}) жана учурдан кийин болушу керек. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^the new deadline (?P<new>[\d-]+ [\d:]+) is more than (?P<n>\d+) days after"),
     "Новый срок {new} больше чем на {n} дней позже текущего. Ничего не изменено.",
     "Жаңы мөөнөт {new} азыркыдан {n} күндөн ашык кийин. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^deadline (?P<v>.*): not a date and time"),
     "Срок {v}: это не дата и время. Нужно, например, 2023-03-14T18:00 (время Бишкека). Ничего не изменено.",
     "Мөөнөт {v}: бул күн жана убакыт эмес. Мисалы, 2023-03-14T18:00 (Бишкек убактысы). Эч нерсе өзгөргөн жок."),
    (re.compile(r"^(?P<k>\S+) is closed; a closed form cannot be extended"),
     "Форма уже закрыта: срок закрытой формы продлить нельзя. Ничего не изменено.",
     "Форма жабылган: жабык форманын мөөнөтүн узартууга болбойт. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^no form (?P<k>.*) has been made yet"), "Форма ещё не создана. Ничего не изменено.",
     "Форма азырынча түзүлө элек. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^(?P<k>\S+) is not a form of the plan"), "Такой формы нет в плане. Ничего не изменено.",
     "Мындай форма планда жок. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^the reminder of (?P<k>\S+) is being sent right now"),
     "Напоминание отправляется прямо сейчас: обновите страницу через минуту.",
     "Эскертүү дал азыр жөнөтүлүп жатат: бир мүнөттөн кийин баракты жаңылаңыз."),
    (re.compile(r"^no action (?P<k>.*) in the plan"), "Такого действия нет в плане. Ничего не изменено.",
     "Мындай аракет планда жок. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^(?P<k>\S+) is already done; (?:there is nothing to hold|nothing was changed)"),
     "Это уже сделано. Ничего не изменено.", "Бул аткарылып бүткөн. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^(?P<k>\S+) is already on hold"), "Уже приостановлено.", "Мурунтан эле токтотулган."),
    (re.compile(r"^(?P<k>\S+) is not on hold"), "Это не приостановлено. Ничего не изменено.",
     "Бул токтотулган эмес. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^say in a few words what was done instead"),
     "Напишите в двух словах, что сделано вместо этого (запись сохранится). Ничего не изменено.",
     "Мунун ордуна эмне кылынганын кыскача жазыңыз (жазуу сакталат). Эч нерсе өзгөргөн жок."),
    (re.compile(r"^the plan has no form reminder (?P<k>.*?); nothing was sent"),
     "В плане нет напоминания для этой формы. Ничего не отправлено.",
     "Планда бул форма үчүн эскертүү жок. Эч нерсе жөнөтүлгөн жок."),
    # automation/jobs/alerts.py
    (re.compile(r"^no alert (?P<k>.*?); nothing was changed"), "Такого оповещения нет. Ничего не изменено.",
     "Мындай эскертме жок. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^the alert about (?P<k>\S+) was marked as handled already"),
     "Это оповещение уже отмечено как разобранное. Ничего не изменено.",
     "Бул эскертме мурунтан эле каралды деп белгиленген. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^the plan has no event (?P<e>\S+) any more"),
     "В плане больше нет события {e}: это действие не может выполниться.",
     "Планда {e} иш-чарасы жок: бул аракет аткарылбайт."),
    # automation/jobs/responses.py
    (re.compile(r"^(?P<n>\d+) responses \((?P<new>\d+) new\) written to (?P<where>.*)$", re.S),
     "Ответов: {n} (новых: {new}), таблица обновлена: {where}.", "Жооптор: {n} (жаңы: {new}), таблица жаңыланды: {where}."),
    # automation/web/admin/accounts.py
    (re.compile(r"^(?P<e>.*) is not a valid e-mail address"), "{e} — это не адрес электронной почты. Ничего не изменено.",
     "{e} — электрондук почтанын дареги эмес. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^the password must have at least (?P<n>\d+) characters"),
     "Пароль должен быть не короче {n} знаков (несколько слов легко запомнить). Ничего не изменено.",
     "Сырсөз {n} белгиден кем болбошу керек (бир нече сөз оңой эсте калат). Эч нерсе өзгөргөн жок."),
    (re.compile(r"^the password must have at most (?P<n>\d+) characters"),
     "Пароль должен быть не длиннее {n} знаков. Ничего не изменено.",
     "Сырсөз {n} белгиден ашпашы керек. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^the password must not be the e-mail address"), "Пароль не должен совпадать с e-mail. Ничего не изменено.",
     "Сырсөз e-mail менен бирдей болбошу керек. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^(?P<e>\S+) already has an account"),
     "У {e} уже есть вход: чтобы изменить, сначала удалите его. Ничего не изменено.",
     "{e} үчүн кирүү мурунтан бар: өзгөртүү үчүн адегенде аны өчүрүңүз. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^(?P<e>\S+) has no account"), "У {e} нет входа в консоль. Ничего не изменено.",
     "{e} үчүн консолго кирүү жок. Эч нерсе өзгөргөн жок."),
    (re.compile(r"^(?P<e>\S+) is the only admin"),
     "{e} — единственный администратор: сначала добавьте другого. Ничего не изменено.",
     "{e} — жалгыз администратор: адегенде башкасын кошуңуз. Эч нерсе өзгөргөн жок."),
    # the audit log's details (automation/web/admin/accounts.py, roster.py, school.py; automation/manual.py)
    (re.compile(r"^role (?P<list>\w+)$"), "роль: {list}", "ролу: {list}"),
    (re.compile(r"^(?P<a>\d+) new, (?P<u>\d+) updated, (?P<k>\d+) skipped$"),
     "новых: {a}, обновлено: {u}, пропущено строк: {k}", "жаңы: {a}, жаңыланды: {u}, өткөрүлгөн саптар: {k}"),
    (re.compile(r"^(?P<n>\d+) coded applications$"), "заявок с кодами: {n}", "коддолгон арыздар: {n}"),
    (re.compile(r"^(?P<n>\d+) score\(s\)$"), "оценок: {n}", "баалар: {n}"),
    (re.compile(r"^(?P<a>\d{4}-[\d-]+T[\d:]+Z?(?:\+00:00)?) -> (?P<b>\d{4}-[\d-]+T[\d:]+Z?(?:\+00:00)?)$"),
     "срок (UTC): {a} → {b}", "мөөнөт (UTC): {a} → {b}"),
    # automation/programmes/school (scores.py, console_scores.py, scoring.py, selection.py)
    (re.compile(r"^(?P<c>[A-Z]-\d+): no scores from (?P<m>.+?) \(all (?P<n>\d+) criteria missing\)"),
     "{c}: нет ни одной оценки от {m} (не хватает всех {n} критериев).",
     "{c}: {m} бир да баа койгон жок ({n} критерийдин баары жок)."),
    (re.compile(r"^(?P<c>[A-Z]-\d+): (?P<m>.+?) has no score for criterion (?P<n>\d+)"),
     "{c}: у {m} нет оценки по критерию {n}.", "{c}: {m} {n}-критерий боюнча баа койгон жок."),
    (re.compile(r"^no coded application (?P<c>.*?); nothing was stored"),
     "Нет заявки с кодом {c}. Ничего не сохранено.", "{c} коду менен арыз жок. Эч нерсе сакталган жок."),
    (re.compile(r"^(?P<c>[^,:]+), (?P<m>[^,:]+), criterion (?P<k>[^:]+): (?P<what>.*)$"),
     "{c}, {m}, критерий {k}: {what}", "{c}, {m}, {k}-критерий: {what}"),
    (re.compile(r"^score (?P<v>.*) is out of range: the scale is (?P<s>\S+)$"),
     "оценка {v} вне шкалы {s}.", "{v} баа {s} шкаласынан тышкары."),
    (re.compile(r"^score (?P<v>.*) is not a whole number (?P<s>\S+)$"),
     "оценка {v} — не целое число {s}.", "{v} баа — {s} бүтүн сан эмес."),
    (re.compile(r"^the score is empty$"), "оценка не заполнена.", "баа толтурулган эмес."),
    (re.compile(r"^scores from (?P<n>\d+) member\(s\) \((?P<who>.*)\); the commission has (?P<m>\d+)"),
     "Есть оценки от {n} членов комиссии ({who}), а в комиссии {m}: добавьте оценки остальных.",
     "{n} комиссия мүчөсүнүн баалары бар ({who}), комиссияда {m}: калгандарынын бааларын кошуңуз."),
    (re.compile(r"^(?P<m>.+?) is not a member of the commission \((?P<who>.*)\)$"),
     "{m} нет в составе комиссии ({who}).", "{m} комиссиянын курамында жок ({who})."),
    (re.compile(r"^(?P<m>.+?) scored (?P<c>\S+) on criterion (?P<k>\d+) twice"),
     "{m} дважды оценила {c} по критерию {k}: оставьте одну оценку.",
     "{m} {c} арызын {k}-критерий боюнча эки жолу баалады: бирин калтырыңыз."),
    (re.compile(r"^under (?P<n>\d+) on (?P<d>[\d-]+)$"), "На {d} ей меньше {n} лет.", "{d} карата {n} жашка толо элек."),
    (re.compile(r"^no valid birth date: check the application$"), "Нет верной даты рождения: проверьте заявку.",
     "Туура туулган күнү жок: арызды текшериңиз."),
    (re.compile(r"^below the minimum total (?P<n>[\d.]+)$"), "Сумма баллов ниже минимальной ({n}).",
     "Баллдардын суммасы минималдуудан ({n}) төмөн."),
    (re.compile(r"^tie at the cut$"), "Равные баллы на границе отбора: решает комиссия.",
     "Тандоо чегинде баллдар бирдей: комиссия чечет."),
    (re.compile(r"^no scores to rank$"), "Пока нет оценок для рейтинга.", "Рейтинг үчүн азырынча баа жок."),
    (re.compile(r"^the ranking was already made final on (?P<d>\S+)"),
     "Рейтинг уже утверждён ({d}) по другим оценкам.", "Рейтинг {d} башка баалар боюнча бекитилген."),
    (re.compile(r"^the ranking is not final yet"), "Рейтинг ещё не утверждён.", "Рейтинг азырынча бекитиле элек."),
]

#: automation/errors.py ValidationError: "SOURCE: N problem(s) found, nothing was changed:\n  - P1\n  - P2".
_MANY = re.compile(r"^(?P<source>.*?): (?P<n>\d+) problem\(s\) found, nothing was changed:\n(?P<rest>(?:  - .*\n?)*)$")
_MANY_WORDS = ("Найдено проблем: {n}, ничего не изменено:", "Табылган көйгөйлөр: {n}, эч нерсе өзгөргөн жок:")
#: automation/roster.py: "line N: P1; P2" and "line N, column: P".
_LINE = re.compile(r"^line (?P<n>\d+)[:,] (?P<rest>.*)$", re.S)
_LINE_WORDS = ("Строка {n}: ", "{n}-сап: ")


#: The console's account roles (automation/web/admin/accounts.py ROLES) by name, (ru, ky).
_CONSOLE_ROLES = {"admin": ("администратор", "администратор"), "commission": ("член комиссии", "комиссиянын мүчөсү")}


def _role_name(code: str, lang: str) -> str:
    """A role code in ``lang`` (a participant's role of :data:`automation.model.ROLES` or a console account's);
    anything else (an oblast's name, say) as it is."""
    if code in _CONSOLE_ROLES:
        return _CONSOLE_ROLES[code][lang == "ky"]
    return ROLES.get(code, {}).get(lang, code)


def _one(detail: str, lang: str) -> str | None:

    def fill(groups: dict[str, str]) -> bool:
        if "list" in groups:  # role codes (deputy, admin …) by their names
            groups["list"] = ", ".join(_role_name(r.strip(), lang) for r in groups["list"].split(","))
        if "what" in groups:
            inner = _one(groups["what"], lang)
            if inner is None:
                return False
            groups["what"] = inner
        return True

    said = say(PATTERNS, detail, lang, fill)
    return said[0] if said else None


def library_words(detail: str, lang: str) -> str | None:
    """A library message in plain ``lang`` (``ru`` or ``ky``), or None when some part of it no pattern knows.

    A ValidationError's list and a roster file's "line N: …" are said part by part."""
    d = detail.strip()
    i = 1 if lang == "ky" else 0
    m = _MANY.match(d + "\n")
    if m:
        parts = [p[4:] for p in m["rest"].splitlines() if p.startswith("  - ")]
        said = [library_words(p, lang) for p in parts]
        if any(s is None for s in said):
            return None
        return _MANY_WORDS[i].format(n=m["n"]) + "".join(f"\n— {s}" for s in said)
    m = _LINE.match(d)
    if m:
        pieces = re.split(r"; (?:line \d+, )?", m["rest"])
        said = [_one(p.strip(), lang) for p in pieces]
        if any(s is None for s in said):
            return None
        return _LINE_WORDS[i].format(n=m["n"]) + " ".join(said)  # type: ignore[arg-type]
    return _one(d, lang)
