#!/usr/bin/env python3
"""The scanner benchmark's corpus, its ground truth and its scorer (bench/scanner.sh).

  make DIR [--size-mb 60] [--seed 7]
      a mixed corpus in DIR/corpus (source, configs, logs, CSV exports, Markdown, PEM keys), the
      planted findings in DIR/truth.jsonl, and in DIR/decoys.jsonl the look-alikes that must not be
      reported: invalid values, a gitignored build/ directory and binary files
  check DIR
      re-verifies every line the scanner reads: planted lines give exactly their finding, decoys
      none, and no other line holds even a candidate (about 0.3 s per MB)
  score TRUTH FINDINGS [--rg RG_OUTPUT] [--by-detector] [--json]
      precision and recall per class (or detector), with ripgrep's raw matches alongside
  patterns
      the candidate regexes in Rust syntax, one per line, for `rg -f`

Patterns and checks mirror app/src/domain/scan/builtins.rs and checks.rs. Planted lines are checked
while generating against a model of the scanner's loop (engine.rs: one leftmost-first pass over all
detectors; a candidate failing its check lets the others try the same place) in both detector orders,
so the truth holds whatever order the rules list the detectors in. Standard library only.
"""
import argparse, base64, json, os, random, re, shutil, string, sys, time
from collections import Counter, defaultdict

CRED, PERSONAL, CUSTOMER = "credentials-secrets", "personal-data", "customer-data"
B = r"(?-u:\b)"  # Rust's ASCII word boundary: `\b` under re.ASCII
KEYWORDS = [r"com\.northwind\.ledger", r"com\.northwind\.payments", r"Copyright \(c\) Northwind Analytics",
            r"northwind/payments\-engine", r"northwind/ledger"]
# (detector, class, candidate pattern in Rust syntax), in Builtin::ALL order, then the keyword
# detectors as engine.rs builds them: escaped, whole words, markings case-sensitive.
DETECTORS = [
    ("aws-access-key-id", CRED, B + r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}" + B),
    ("aws-secret-key", CRED,
     r"""(?i:aws_?secret_?(?:access_?)?key)["']?[ \t]*[:=][ \t]*["']?[A-Za-z0-9/+]{40}"""),
    ("github-token", CRED, B + r"(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})" + B),
    ("gitlab-token", CRED, B + r"glpat-[A-Za-z0-9_-]{20}"),
    ("slack-token", CRED, B + r"xox[abposr]-[0-9]{8,13}-[A-Za-z0-9-]{8,80}"),
    ("slack-webhook", CRED,
     r"https://hooks\.slack\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{20,32}"),
    ("stripe-key", CRED, B + r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{24,99}" + B),
    ("google-api-key", CRED, B + r"AIza[0-9A-Za-z_-]{35}"),
    ("pem-private-key", CRED, r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
    ("jwt", CRED, B + r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"),
    ("connection-string-password", CRED,
     B + r"""[a-z][a-z0-9+.-]{1,20}://[^\s:/@'"]{1,64}:[^\s@/'"]{1,128}@[^\s/'"]{1,255}"""),
    ("config-password", CRED, "(?i:" + B + "(?:[a-z0-9]+_)*(?:password|passwd|pwd|secret|client_?secret|api_?key"
     + "|access_?token|auth_?token)" + B + r""")["']?[ \t]*[:=][ \t]*["']?[^\s"',;]{6,128}"""),
    ("email", PERSONAL,
     B + r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}" + B),
    ("thai-national-id", PERSONAL, B + r"[1-8](?:[ -]?[0-9]){12}" + B),
    ("us-ssn", PERSONAL, B + r"[0-9]{3}-[0-9]{2}-[0-9]{4}" + B),
    ("iban", PERSONAL, B + r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?" + B),
    ("payment-card", CUSTOMER, B + r"[2-6](?:[ -]?[0-9]){12,18}" + B),
    ("phone", PERSONAL, r"(?:\+[1-9][0-9]{0,2}(?:[ .-]?\(?[0-9]{1,4}\)?){2,5}|"
     + B + r"0[2-9][0-9]?[ -]?[0-9]{3}[ -]?[0-9]{4})" + B),
    ("source-code-keywords", "core-source-code", "(?i:" + "|".join(B + k + B for k in KEYWORDS) + ")"),
    ("confidentiality-markings", "financial-records",
     "(?:" + B + "CONFIDENTIAL" + B + "|" + B + "STRICTLY CONFIDENTIAL" + B + ")"),
    # The demo's internal markings: not planted (the class is not prohibited), but the
    # background must not hold them either.
    ("internal-markings", "internal-documents",
     "(?:" + B + "INTERNAL ONLY" + B + "|" + B + "INTERNAL USE ONLY" + B + ")"),
]
CLASS = {d: c for d, c, _ in DETECTORS}
ORDER = [d for d, _, _ in DETECTORS]
PY = {d: re.compile(p.replace(B, r"\b"), re.ASCII) for d, _, p in DETECTORS}

# ---- the detectors' checks, as builtins.rs and checks.rs have them ----
PLACEHOLDERS = {"password", "changeme", "secret", "redacted", "example", "placeholder", "none", "null",
                "true", "false", "undefined"}
IBAN_LENGTHS = dict(AT=20, BE=16, BG=22, CH=21, CY=28, CZ=24, DE=22, DK=18, EE=20, ES=24, FI=18, FR=27,
                    GB=22, GR=27, HR=21, HU=28, IE=22, IS=26, IT=27, LI=21, LT=20, LU=20, LV=21, MT=31,
                    NL=18, NO=15, PL=28, PT=25, RO=24, SA=24, SE=24, SI=19, SK=24, AE=23, TR=26)

def assigned(c):  # what follows the first `=` or `:`, unquoted
    at = min((i for i in (c.find("="), c.find(":")) if i >= 0), default=-1)
    return c[at + 1:].strip("\"' \t") if at >= 0 else ""

def mixed(v):  # two of lowercase, uppercase, digits
    return sum(any(f(ch) for ch in v) for f in (str.islower, str.isupper, str.isdigit)) >= 2

def placeholder(v):
    low = v.lower()
    return (v[:1] in ("$", "<", "{", "%", "*") or all(ch in "*xX." for ch in v)
            or low in PLACEHOLDERS or low.rstrip("\"'") in PLACEHOLDERS
            or low.startswith(("your", "process.env", "os.environ", "env(")))

def digits_of(text, most):  # the digits, skipping ` `, `-` and `.`; None for anything else
    if any(not (ch.isascii() and ch.isdigit()) and ch not in " -." for ch in text):
        return None
    ds = [int(ch) for ch in text if ch.isdigit()]
    return ds if len(ds) <= most else None

def luhn_ok(ds):
    return sum(d if i % 2 == 0 else (2 * d - 9 if d > 4 else 2 * d) for i, d in enumerate(ds[::-1])) % 10 == 0

def thai_ok(ds):
    return (ds is not None and len(ds) == 13 and ds[0] != 0
            and (11 - sum(d * (13 - i) for i, d in enumerate(ds[:12])) % 11) % 10 == ds[12])

def ssn_ok(ds):
    return (ds is not None and len(ds) == 9 and 0 < ds[0] * 100 + ds[1] * 10 + ds[2] < 900
            and ds[:3] != [6, 6, 6] and ds[3:5] != [0, 0] and ds[5:] != [0, 0, 0, 0])

def iban_ok(text):
    s = text.replace(" ", "")
    if not (15 <= len(s) <= 34 and s.isascii() and s.isalnum() and s[:2].isalpha() and s[:2].isupper()
            and s[2:4].isdigit() and not any(ch.islower() for ch in s)):
        return False
    return (IBAN_LENGTHS.get(s[:2], len(s)) == len(s)
            and int("".join(str(int(ch, 36)) for ch in s[4:] + s[:4])) % 97 == 1)

def jwt_ok(c):
    head = c.split(".")[0]
    try:
        head = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except ValueError:
        return False
    return isinstance(head, dict) and isinstance(head.get("alg"), str)

def phone_ok(c):  # international: 8 to 15 digits; Thai: 0 then 6/8/9 and 10 digits, or 2-7 and 9
    ds = [ch for ch in c if ch.isdigit()]
    if c.startswith("+"):
        return 8 <= len(ds) <= 15
    return len(ds) > 1 and ((ds[1] in "689" and len(ds) == 10) or (ds[1] in "234567" and len(ds) == 9))

def conn_ok(c):
    user_info = c.split("://", 1)[1].split("@", 1)[0]
    return ":" in user_info and not placeholder(user_info.split(":", 1)[1])

VALID = defaultdict(lambda: lambda c: True, {  # detectors without a check accept every candidate
    "aws-access-key-id": lambda c: all(ch in string.ascii_uppercase + "234567" for ch in c[4:]),
    "aws-secret-key": lambda c: mixed(assigned(c)),
    "jwt": jwt_ok,
    "connection-string-password": conn_ok,
    "config-password": lambda c: (v := assigned(c)) != "" and not placeholder(v) and "://" not in v,
    "email": lambda c: not re.search(r"(^|\.)example\.(com|net|org)$|\.(example|test|invalid|localhost|local)$",
                                     c.rsplit("@", 1)[1].lower()),
    "thai-national-id": lambda c: thai_ok(digits_of(c, 13)),
    "us-ssn": lambda c: ssn_ok(digits_of(c, 9)),
    "iban": iban_ok,
    "payment-card": lambda c: (ds := digits_of(c, 19)) is not None and len(ds) >= 13 and luhn_ok(ds),
    "phone": phone_ok,
})

class Model:
    """The scanner's loop (engine.rs `Scanner::scan`) over one line, with the detectors in `order`.
    No pattern can cross a newline, so a line at a time finds what the whole file would."""

    def __init__(self, order):
        self.order = order
        self.any = re.compile("|".join(f"(?P<d{i}>{PY[d].pattern})" for i, d in enumerate(order)), re.ASCII)

    def scan(self, line):
        found, at = [], 0
        while (m := self.any.search(line, at)):
            start, first = m.start(), int(m.lastgroup[1:])
            for j in [first] + [j for j in range(len(self.order)) if j != first]:
                mm = m if j == first else PY[self.order[j]].match(line, start)  # anchored there
                if mm and VALID[self.order[j]](mm.group()):
                    found.append(self.order[j])
                    at = max(mm.end(), start + 1)
                    break
            else:
                # A rejected assignment or address holds nothing else (engine.rs).
                covers = self.order[first] in ("aws-secret-key", "connection-string-password",
                                               "config-password", "jwt", "email", "aws-access-key-id")
                at = max(m.end(), start + 1) if covers else start + 1
        return found

FWD, REV = Model(ORDER), Model(ORDER[::-1])
RAW = FWD.any  # a candidate of any detector, valid or not: what rg reports

# ---- values: real ones (planted) and look-alikes (decoys) ----
R = random.Random()
LO, UP, DG = string.ascii_lowercase, string.ascii_uppercase, string.digits
AN = LO + UP + DG
def rs(alphabet, n): return "".join(R.choices(alphabet, k=n))
def num(n): return rs(DG, n)
def hexid(n=12): return R.choice("abcdef") + rs("0123456789abcdef", n - 1)  # a letter first: not a number
def password(): return R.choice(LO + UP) + rs(AN + "!_-.", R.randint(8, 16)) + R.choice(DG)
def b64url(obj): return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")

def aws_key_id(ok):
    tail = rs(UP + "234567", 16)
    if not ok:  # 0, 1, 8 and 9 are not base32: shaped like a key id but not one
        i = R.randrange(16)
        tail = tail[:i] + R.choice("0189") + tail[i + 1:]
    return R.choice(["AKIA", "ASIA"]) + tail

def aws_secret(ok):
    if not ok:
        return R.choice(["EXAMPLEKEY" * 4, "A" * 40])  # one kind of character: a filler
    while not mixed(v := rs(AN + "/+", 39) + R.choice(AN)):  # ends alphanumeric for the final \b
        pass
    return v

def jwt(ok):
    head = ({"alg": R.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"} if ok
            else R.choice([{"typ": "JWT"}, {"kid": hexid(8)}, {"alg": 256, "typ": "JWT"}]))
    body = {"sub": hexid(10), "iat": 1796000000 + R.randint(0, 10**7), "scope": R.choice(["read", "ledger:write"])}
    return f"{b64url(head)}.{b64url(body)}.{rs(AN + '-_', 43)}"

def conn_string(ok):
    # No `xxxx` mask among the look-alikes: `xxxx@host.internal` is itself a valid e-mail address.
    pw = password() if ok else R.choice(["****", "${DB_PASSWORD}", "<password>", "{db_password}"])
    return (f"{R.choice(['postgres', 'postgresql', 'mysql', 'redis', 'amqp', 'mongodb+srv'])}://"
            f"{R.choice(['app', 'ledger_rw', 'report', 'svc_' + R.choice(SVC)])}:{pw}@"
            f"{R.choice(SVC)}-db-{R.randint(1, 9)}.internal:{R.randint(1025, 9999)}/{R.choice(SVC)}")

def config_value(ok):
    return password() if ok else R.choice(["${DB_PASSWORD}", "changeme", "<your-password>", "********",
                                           "process.env.DB_PASSWORD", "redacted", "REDACTED"])

FIRST = "somchai suda anan pimchanok niran kanya wichai malee narong ploy john emily arjun mei lucas".split()
LAST = "jaidee srisuk wongsa rattana boonmee chaiyo smith tanaka kumar nguyen garcia".split()
DOMAINS = "northwind.co.th gmail.com hotmail.com outlook.com kbank.co.th scb.co.th yahoo.co.th proton.me".split()
DOC_DOMAINS = "example.com example.org mail.example.net ci.test build.invalid printer.local db.localhost".split()

def email(ok):
    local = R.choice([f"{R.choice(FIRST)}.{R.choice(LAST)}", f"{R.choice(FIRST)}{R.randint(1, 99)}",
                      f"{R.choice(FIRST)[0]}.{R.choice(LAST)}"])
    return f"{local}@{R.choice(DOMAINS if ok else DOC_DOMAINS)}"

def phone(ok):
    if not ok:  # a mobile prefix with a landline's length, or too few digits
        return R.choice([f"0{R.choice('89')}-{num(3)}-{num(4)}", f"+{R.randint(1, 99)} {num(2)}"])
    m = R.choice("689")
    return R.choice([f"+66 {m}{num(1)} {num(3)} {num(4)}", f"0{m}{num(1)}-{num(3)}-{num(4)}", f"0{m}{num(8)}",
                     f"02-{num(3)}-{num(4)}", f"+66-2-{num(3)}-{num(4)}", f"+44 20 {num(4)} {num(4)}",
                     f"+1 ({R.randint(201, 989)}) {num(3)}-{num(4)}"])

def thai_id(ok):
    ds = [int(R.choice("1113358"))] + [int(c) for c in num(11)]
    check = (11 - sum(d * (13 - i) for i, d in enumerate(ds)) % 11) % 10
    n = "".join(map(str, ds)) + str(check if ok else (check + R.randint(1, 9)) % 10)
    sep = R.choice(["", "-", "-", " "])  # 1101700230074, 1-1017-00230-07-4, 1 1017 00230 07 4
    return sep.join([n[0], n[1:5], n[5:10], n[10:12], n[12]]) if sep else n

def ssn(ok):
    area = R.choice([R.randint(1, 665), R.randint(667, 899)]) if ok else R.choice([0, 666, R.randint(900, 999)])
    return f"{area:03d}-{R.randint(1, 99):02d}-{R.randint(1, 9999):04d}"

BBAN = {"DE": lambda: num(18), "GB": lambda: rs(UP, 4) + num(14), "FR": lambda: num(23),
        "NL": lambda: rs(UP, 4) + num(10), "ES": lambda: num(20), "IT": lambda: R.choice(UP) + num(22)}

def iban(ok):
    cc = R.choice(list(BBAN))
    bban = BBAN[cc]()
    base = int("".join(str(int(ch, 36)) for ch in bban + cc)) * 100
    check = 98 - base % 97  # what makes the rearranged number leave 1 divided by 97
    while not ok and (base + check) % 97 == 1:
        check = R.randint(2, 98)
    s = f"{cc}{check:02d}{bban}"
    return s if R.random() < 0.4 else " ".join(s[i:i + 4] for i in range(0, len(s), 4))

def card(ok):
    body = R.choice([lambda: "4" + num(14), lambda: R.choice(["51", "52", "53", "55"]) + num(13),
                     lambda: R.choice(["34", "37"]) + num(12), lambda: "6011" + num(11)])()
    check = next(d for d in range(10) if luhn_ok([int(c) for c in body + str(d)]))
    n = body + str(check if ok else (check + R.randint(1, 9)) % 10)
    groups = [n[:4], n[4:10], n[10:]] if len(n) == 15 else [n[i:i + 4] for i in range(0, 16, 4)]
    return R.choice([" ", "-", ""]).join(groups)

VALUE = defaultdict(lambda: lambda ok: "", {  # detector -> value(ok); "" where the template has it all
    "aws-access-key-id": aws_key_id, "aws-secret-key": aws_secret, "jwt": jwt, "email": email,
    "phone": phone, "connection-string-password": conn_string, "config-password": config_value,
    "thai-national-id": thai_id, "us-ssn": ssn, "iban": iban, "payment-card": card,
    "github-token": lambda ok: R.choice([f"gh{R.choice('pousr')}_" + rs(AN, 36),
                                         "github_pat_" + rs(AN + "_", 81) + R.choice(AN)]),
    "gitlab-token": lambda ok: "glpat-" + rs(AN + "_-", 19) + R.choice(AN),
    "slack-token": lambda ok: f"xox{R.choice('bp')}-{R.randint(10**10, 10**12)}-{R.randint(10**10, 10**12)}-{rs(AN, 24)}",
    "slack-webhook": lambda ok: f"https://hooks.slack.com/services/T{rs(UP + DG, 10)}/B{rs(UP + DG, 10)}/{rs(AN, 24)}",
    "stripe-key": lambda ok: f"{R.choice(['sk', 'rk'])}_{R.choice(['live', 'test'])}_{rs(AN, R.randint(24, 40))}",
    "google-api-key": lambda ok: "AIza" + rs(AN + "_-", 35),
})

# ---- background text, safe by construction: identifiers from WORDS (no config keyword, no
# uppercase-letters-then-digits), ids that start with a letter, numbers never next to numbers,
# timestamps broken by `T` and `:`, no `@` but in masked values, no `user:pass@` URLs ----
WORDS = ("account balance ledger entry posting batch settlement payment transfer customer branch limit "
         "rate fee invoice statement report audit journal schedule retry queue worker cache session request "
         "response client server handler router module service record summary total amount currency period "
         "quarter region market order trade position risk score model review policy approval workflow status "
         "event notice message channel timeout window buffer stream page index cursor filter query result "
         "metric counter trace span shard replica cluster node pool lease lock daily monthly pending settled "
         "failed updated closed open new stale merge split").split()
SVC = "ledger payments cards loans onboarding kyc fx treasury notify statements risk fraud gateway".split()
NAMES = ["Somchai Jaidee", "Suda Srisuk", "Anan Wongsa", "Emily Tanaka", "Arjun Kumar", "Mei Nguyen",
         "สมชาย ใจดี", "สุดา ศรีสุข"]

def ident(): return "_".join(R.sample(WORDS, R.randint(1, 2)))
def sentence(): return " ".join(R.choices(WORDS, k=R.randint(6, 12))).capitalize() + "."
def two(): return R.sample(WORDS, 2)

FILLERS = {  # template field -> a fresh value each time it appears
    "a": ident, "A": lambda: ident().upper(), "c": lambda: (lambda a, b: a + b.capitalize())(*two()),
    "T": lambda: "".join(w.capitalize() for w in two()), "w": lambda: R.choice(WORDS), "S": sentence,
    "Title": lambda: " ".join(R.sample(WORDS, 3)).title(), "n": lambda: R.randint(1, 5000),
    "k": lambda: R.randint(1, 9), "id": hexid, "h32": lambda: hexid(32), "port": lambda: R.randint(1025, 9999),
    "svc": lambda: R.choice(SVC) + "-" + R.choice(["api", "worker", "sync"]),
    "code": lambda: R.choice([200, 201, 204, 404, 409, 503]), "amt": lambda: f"{R.randint(1, 99999)}.{R.randint(0, 99):02d}",
    "pkg": lambda: R.choice(["treasury", "cards", "loans", "risk", "common"]), "name": lambda: R.choice(NAMES),
    "lvl": lambda: R.choice(["INFO ", "INFO ", "WARN ", "DEBUG", "ERROR"]),
    "date": lambda: f"2026-{R.randint(1, 12):02d}-{R.randint(1, 28):02d}",
    "ts": lambda: (f"2026-{R.randint(1, 12):02d}-{R.randint(1, 28):02d}T{R.randint(0, 23):02d}:"
                   f"{R.randint(0, 59):02d}:{R.randint(0, 59):02d}.{R.randint(0, 999):03d}Z"),
    # Masked values, as exports carry most of the time: never a candidate.
    "m_email": lambda: f"{R.choice(FIRST)[0]}***@{R.choice(DOMAINS)}",
    "m_phone": lambda: f"08{R.randint(1, 9)}-xxx-{num(4)}",
    "m_thai_national_id": lambda: f"{R.choice('13')}-{num(4)}-xxxxx-xx-{num(1)}",
    "m_us_ssn": lambda: f"***-**-{num(4)}",
    "m_iban": lambda: f"{R.choice(list(BBAN))}** **** **** **** {num(2)}",
    "m_payment_card": lambda: f"{R.choice('45')}{num(3)} **** **** {num(4)}",
}

class Fill(dict):
    def __missing__(self, key): return FILLERS[key]()

LOG = "{ts} {lvl} [{svc}] "
# Per file type, snippets (lines split at \n) picked at random; the first one heads the file.
BG = {
    "rs": ["use std::collections::HashMap;\nuse crate::{a}::{T};\n",
           "/// {S}\npub fn {a}(&self, {a}: &{T}) -> Result<{T}, Error> {{\n    let {a} = self.{a}.{a}(&{a})?;\n"
           "    if {a}.len() > {n} {{\n        return Err(Error::{T}(\"{w} {w} {w}\".into()));\n    }}\n"
           "    tracing::debug!({a} = %{a}, \"{w} {w}\");\n    Ok({a})\n}}\n",
           "#[derive(Debug, Clone, Serialize)]\npub struct {T} {{\n    pub {a}: {T},\n    pub {a}: Vec<{T}>,\n}}\n",
           "const {A}: u64 = {n};", "// {S}",
           "    let {a}: Vec<_> = {a}\n        .iter()\n        .filter(|{a}| {a}.{a} > {n})\n        .collect();"],
    "py": ["\"\"\"{S}\"\"\"\nimport logging\nfrom {a}.{a} import {T}\n\nlogger = logging.getLogger(__name__)\n",
           "\nclass {T}({T}):\n    \"\"\"{S}\"\"\"\n",
           "    def {a}(self, {a}, {a}=None):\n        {a} = self.{a}.{a}({a})\n        if not {a}:\n"
           "            raise ValueError(\"{w} {w} {w}\")\n        logger.info(\"{w} %s {w}\", {a})\n        return {a}\n",
           "        for {a} in self.{a}:\n            {a}.append({a}.{a})", "{A} = {n}", "    # {S}"],
    "java": ["package com.northwind.{pkg};\n\nimport java.util.List;\nimport com.northwind.{pkg}.{T};\n\npublic class {T} {{",
             "    private final {T} {c};", "    /** {S} */\n    public {T} {c}({T} {c}) {{\n        if ({c} == null) {{\n"
             "            throw new IllegalStateException(\"{w} {w}\");\n        }}\n        return this.{c}.{c}({c});\n    }}\n",
             "    @Override\n    public String toString() {{\n        return \"{T}\";\n    }}\n",
             "    private static final int {A} = {n};", "    // {S}"],
    "ts": ["import {{ {T} }} from \"./{a}\";\nimport {{ logger }} from \"../{a}\";\n",
           "/** {S} */\nexport async function {c}({c}: {T}): Promise<{T} | undefined> {{\n  const {c} = await {c}.{c}({c});\n"
           "  if (!{c}) {{\n    return undefined;\n  }}\n  logger.debug(`{w} ${{{c}}}`);\n  return {c};\n}}\n",
           "export interface {T} {{\n  {c}: {T};\n  {c}: number;\n}}\n", "export const {A} = {n};", "// {S}"],
    "yaml": ["# {S}\n{a}:", "  {a}: {w}", "  {a}_timeout_ms: {n}", "  replicas: {k}\n  enabled: true", "  # {S}",
             "  - {w}\n  - {w}", "  image: registry.northwind.co.th/{w}/{svc}:1.{n}.{k}",
             "  url: https://{svc}.internal:{port}/{w}", "  host: {svc}.{w}.svc.cluster.local\n  port: {port}"],
    "ini": ["; {S}\n[{a}]", "{a} = {w}", "{a}_max = {n}", "{a}_path = /var/lib/{svc}/{w}", "enabled = true", "\n[{a}]"],
    "env": ["# {S}", "{A}={w}", "{A}_PORT={port}", "{A}_HOST={svc}.internal", "{A}_TIMEOUT={n}s", "LOG_LEVEL=info"],
    "properties": ["# {S}", "{a}.{a}.{a}={w}", "{a}.{a}.max-size={n}", "server.port={port}", "spring.application.name={svc}"],
    "log": [LOG + "{w} {w} completed request_id={id} duration_ms={n}", LOG + "retrying {w} attempt={k} backoff_ms={n}",
            LOG + "{w} {w} failed: {S} trace_id={h32}", LOG + "GET /api/v1/{w}/{id} status={code} bytes={n}",
            LOG + "batch {id} posted {n} entries total={amt} THB",
            '{{"ts":"{ts}","level":"info","svc":"{svc}","msg":"{w} {w}","latency_ms":{n},"span":"{id}"}}'],
    "md": ["# {Title}\n\n{S}\n", "\n## {Title}\n", "{S} {S}\n{S}", "- {S}\n- {S}\n- {S}", "> {S}",
           "| {w} | {w} | count |\n|---|---|---|\n| {w} | {w} | {n} |", "```\n{a} = {w}\n{a} = {n}\n```",
           "See the [{w} runbook](https://wiki.northwind.co.th/{w}/{w}) for details."],
}
CSV_FIELDS = ["email", "phone", "thai-national-id", "us-ssn", "iban", "payment-card"]
CSV_ROW = "cust-{id},{name},{w},{date},{w},{amt},"  # one personal field per export, last
for f in CSV_FIELDS:
    BG["csv:" + f] = [CSV_ROW + "{m_" + f.replace("-", "_") + "}"]

# Planted lines per file type: (detector, template with `{v}` for the value); PEM is a block.
# Templates keep config keywords away from tokens, so each line yields exactly its own detector.
PEM = ("pem-private-key", None)
PLANTS = {
    "rs": [("aws-access-key-id", '    const AWS_KEY_ID: &str = "{v}";'),
           ("aws-secret-key", '    let aws_secret_access_key = "{v}";'),
           ("github-token", '    let client = GitHub::with_token("{v}");'),
           ("gitlab-token", '    const GITLAB_PAT: &str = "{v}";'),
           ("stripe-key", '    let stripe = stripe::Client::new("{v}");'),
           ("config-password", '        password: "{v}".into(),'), ("connection-string-password", '    let url = "{v}";'),
           ("jwt", '    const FIXTURE_JWT: &str = "{v}";'), PEM, ("email", "/// Maintainer: {name} <{v}>"),
           ("source-code-keywords", "// Ported from northwind/payments-engine ({w} module)."),
           ("source-code-keywords", "// Copyright (c) Northwind Analytics. All rights reserved.")],
    "py": [("aws-access-key-id", 'AWS_ACCESS_KEY_ID = "{v}"'), ("aws-secret-key", 'AWS_SECRET_ACCESS_KEY = "{v}"'),
           ("slack-token", 'slack = WebClient("{v}")'), ("slack-webhook", 'ALERT_WEBHOOK = "{v}"'),
           ("config-password", '    password = "{v}"'), ("config-password", "api_key = '{v}'"),
           ("connection-string-password", 'DATABASE_URL = "{v}"'), ("google-api-key", 'MAPS_KEY = "{v}"'), PEM,
           ("source-code-keywords", "# Copyright (c) Northwind Analytics. Internal use only."), ("email", '__author__ = "{v}"')],
    "java": [("source-code-keywords", "import com.northwind.ledger.{pkg}.{T};"),
             ("gitlab-token", '    private static final String GITLAB_TOKEN = "{v}";'),
             ("connection-string-password", '    private static final String DB_URL = "{v}";'),
             ("config-password", '        String password = "{v}";'),
             ("google-api-key", '    private static final String MAPS_KEY = "{v}";'),
             ("stripe-key", '        StripeClient stripe = new StripeClient("{v}");'),
             ("aws-access-key-id", '        .withAccessKeyId("{v}")'), ("email", "     * @author {name} ({v})"), PEM],
    "ts": [("stripe-key", 'const stripe = new Stripe("{v}");'), ("slack-webhook", 'export const SLACK_HOOK = "{v}";'),
           ("config-password", '  apiKey: "{v}",'), ("config-password", '  clientSecret: "{v}",'),
           ("jwt", 'const demoToken = "{v}";'), ("github-token", 'const octokit = new Octokit({{ auth: "{v}" }});'),
           ("source-code-keywords", 'import {{ Ledger }} from "@northwind/payments-engine";'),
           ("google-api-key", 'const mapsKey = "{v}";'), ("email", "// Owner: {v}")],
    "yaml": [("config-password", "  password: {v}"), ("config-password", '  client_secret: "{v}"'),
             ("connection-string-password", "  url: {v}"), ("aws-access-key-id", "  aws_access_key_id: {v}"),
             ("aws-secret-key", "  aws_secret_access_key: {v}"), ("slack-webhook", "  webhook_url: {v}"),
             ("github-token", "  github_token: {v}"), ("stripe-key", "  stripe_key: {v}"),
             ("gitlab-token", "  registry_token: {v}"), PEM, ("email", "  owner: {v}")],
    "ini": [("config-password", "password = {v}"), ("config-password", "auth_token = {v}"),
            ("connection-string-password", "dsn = {v}"), ("aws-access-key-id", "aws_access_key_id = {v}"),
            ("aws-secret-key", "aws_secret_access_key = {v}"), ("email", "admin = {v}")],
    "env": [("connection-string-password", "DATABASE_URL={v}"), ("stripe-key", "STRIPE_SECRET_KEY={v}"),
            ("slack-token", "SLACK_BOT_TOKEN={v}"), ("google-api-key", "GOOGLE_MAPS_KEY={v}"),
            ("aws-access-key-id", "AWS_ACCESS_KEY_ID={v}"), ("aws-secret-key", "AWS_SECRET_ACCESS_KEY={v}"),
            ("config-password", "PASSWORD={v}"), ("config-password", "API_KEY={v}"), ("github-token", "GH_TOKEN={v}"),
            ("jwt", "SERVICE_JWT={v}")],
    "properties": [("config-password", "spring.datasource.password={v}"), ("connection-string-password", "spring.redis.url={v}"),
                   ("email", "mail.from={v}"), ("config-password", "oauth.client.secret={v}")],
    "log": [("email", LOG + "statement e-mailed to {v} batch={id}"), ("phone", LOG + "otp sent to {v} channel=sms"),
            ("payment-card", LOG + "charge declined card={v} reason=do_not_honor"),
            ("thai-national-id", LOG + "kyc lookup citizen_id={v} result=match"),
            ("us-ssn", LOG + "w9 form received ssn={v}"), ("iban", LOG + "payout queued iban={v} amount={amt}"),
            ("jwt", LOG + "upstream call authorization=Bearer {v}"),
            ("connection-string-password", LOG + "cannot reach {v}: connection refused"),
            ("aws-access-key-id", LOG + "static credentials in use key_id={v}"),
            ("slack-token", LOG + "notifier configured with {v}"),
            ("email", '{{"ts":"{ts}","level":"info","svc":"{svc}","msg":"login","user":"{v}"}}'),
            ("phone", '{{"ts":"{ts}","level":"info","svc":"{svc}","msg":"sms queued","to":"{v}"}}'),
            ("payment-card", '{{"ts":"{ts}","level":"warn","svc":"{svc}","msg":"tokenize fallback","pan":"{v}"}}')],
    "md": [("confidentiality-markings", "**CONFIDENTIAL** - for use within Northwind Analytics only."),
           ("confidentiality-markings", "Classification: STRICTLY CONFIDENTIAL"),
           ("confidentiality-markings", "> CONFIDENTIAL: do not forward outside the {w} team."),
           ("email", "Contact the service owner at {v} before changing limits."),
           ("phone", "Escalation hotline: {v}, available around the clock."), ("iban", "Settlement account: {v}"),
           ("connection-string-password", "    {v}"), ("config-password", "    password = {v}"),
           ("aws-access-key-id", "The old key {v} was rotated in March."), PEM],
}
for f in CSV_FIELDS:
    PLANTS["csv:" + f] = [(f, CSV_ROW + "{v}")]
# Decoys: the same lines with look-alike values, for the detectors that have look-alikes; logs get
# twice the number-like ones, so those kinds have about as many decoys as real items.
LOOK_ALIKES = {"aws-access-key-id", "aws-secret-key", "jwt", "connection-string-password", "config-password",
               "email", "phone", "thai-national-id", "us-ssn", "iban", "payment-card"}
DECOYS = {t: [x for x in plants if x[0] in LOOK_ALIKES] for t, plants in PLANTS.items()}
DECOYS["log"] += [x for x in DECOYS["log"] if x[0] in ("payment-card", "thai-national-id", "us-ssn", "iban", "phone")]
# Per snippet: the chance of a planted item instead, and of a decoy (CSV: per row).
RATES = {"rs": (0.012, 0.005), "py": (0.012, 0.005), "java": (0.012, 0.005), "ts": (0.012, 0.005),
         "yaml": (0.06, 0.03), "ini": (0.06, 0.03), "env": (0.06, 0.03), "properties": (0.06, 0.03),
         "log": (0.03, 0.03), "md": (0.03, 0.015), "csv": (0.07, 0.06)}
# How a PEM block sits in each file type: the line before and after it.
WRAP = {"rs": ('const SIGNING_KEY: &str = r#"', '"#;'), "py": ('SIGNING_KEY = """', '"""'),
        "java": ('    String pem = """', '""";'), "ts": ("const signingKey = `", "`;"), "yaml": ("  tls_key: |", None),
        "md": ("```", "```"), "pem": (None, None)}
STATS = Counter()

def b64_line(n):  # random base64 that happens to hold no candidate
    while RAW.search(line := rs(AN + "+/", n)):
        pass
    return line

def pem_block(t):
    kind = R.choice(["RSA ", "EC ", "", "OPENSSH ", "ENCRYPTED "])
    body = [b64_line(64) for _ in range(R.randint(6, 20))] + [b64_line(R.randint(8, 60)) + "=="]
    lines = [f"-----BEGIN {kind}PRIVATE KEY-----"] + body + [f"-----END {kind}PRIVATE KEY-----"]
    opener, closer = WRAP[t]
    indent = "    " if t == "yaml" else ""
    return [opener] * bool(opener) + [indent + x for x in lines] + [closer] * bool(closer), int(bool(opener))

def item(t, ok):
    """A planted line (or PEM block) or a decoy line, as (lines, index of the item, detector). The
    model must find exactly that detector (nothing, but a raw candidate, for a decoy) in both orders:
    values that trip another detector (a Thai ID that is also a Luhn-valid card) are drawn again."""
    det, tpl = R.choice((PLANTS if ok else DECOYS)[t])
    if tpl is None:
        return (*pem_block(t), det)
    for _ in range(30):
        line = tpl.format_map(Fill(v=VALUE[det](ok)))
        found = FWD.scan(line)
        if found == REV.scan(line) and (found == [det] if ok else not found and RAW.search(line)):
            return [line], 0, det
    STATS[f"gave up on a {'planted' if ok else 'decoy'} {det}"] += 1
    return None

def text_file(t, size):
    """The lines of a file of type `t`, about `size` bytes, and what it holds: [(index, detector, ok)]."""
    if t.startswith("csv:"):
        lines = ["customer_id,name,branch,opened_on,segment,balance," + t[4:].replace("-", "_")]
    else:
        lines = BG[t][0].format_map(Fill()).split("\n")
    marks, n = [], 0
    p_item, p_decoy = RATES[t.split(":")[0]]
    while n < size:
        r = R.random()
        got = item(t, r < p_item) if r < p_item + p_decoy else None
        if got:
            block, at, det = got
            marks.append((len(lines) + at, det, r < p_item))
        else:
            block = R.choice(BG[t][1:] or BG[t]).format_map(Fill()).split("\n")
        lines += block
        n += sum(len(x) + 1 for x in block)
    return lines, marks

def pem_file():
    lines = []
    if R.random() < 0.5:  # a certificate first, as in a bundle: not a finding
        lines = ["-----BEGIN CERTIFICATE-----"] + [b64_line(64) for _ in range(12)] + ["-----END CERTIFICATE-----"]
    block, at = pem_block("pem")
    return lines + block, [(len(lines) + at, "pem-private-key", True)]

# (weight, size from and to in KB, path, file types); no dot-files: the scanner skips hidden ones.
KINDS = [(44, 4, 30, "services/{team}/{svc}/src/{w}/{a}", ["rs", "py", "java", "ts"]),
         (20, 1, 8, "config/{env}/{svc}/{a}", ["yaml", "ini", "env", "properties"]),
         (14, 3, 20, "docs/{w}/{a}", ["md"]), (7, 30, 250, "logs/{svc}/{svc}-{date}", ["log"]),
         (7, 20, 150, "data/exports/{w}/{a}-{date}", ["csv:" + f for f in CSV_FIELDS]),
         (8, 2, 4, "deploy/keys/{svc}/{a}", ["pem"])]

def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return len(data)

def make(args):
    R.seed(args.seed)
    root, started = os.path.join(args.dir, "corpus"), time.time()
    shutil.rmtree(root, ignore_errors=True)
    truth, decoys, used = [], [], set()
    write(os.path.join(root, ".gitignore"), b"# build output\nbuild/\n")

    def one_file(ignored=False):
        _, lo, hi, pattern, types = R.choices(KINDS, weights=[k[0] for k in KINDS])[0]
        t = R.choice(types)
        if ignored:  # generated code, env files and test logs under build/: findings not to report
            t, lo, hi, pattern = R.choice(["rs", "env", "log"]), 20, 40, "build/generated/{a}"
        ctx = Fill(team=R.choice(["core", "retail", "platform", "data"]), env=R.choice(["dev", "staging", "prod"]),
                   svc=FILLERS["svc"]())
        while (rel := pattern.format_map(ctx) + "." + t.split(":")[0]) in used:
            pass
        used.add(rel)
        lines, marks = pem_file() if t == "pem" else text_file(t, R.randint(lo, hi) * 1024)
        for i, det, ok in marks:
            entry = {"path": rel, "line": i + 1, "class": CLASS[det], "detector": det}
            if ok and not ignored:
                truth.append(entry)
            else:
                decoys.append({**entry, "reason": "gitignored" if ok else "invalid"})
        return write(os.path.join(root, rel), ("\n".join(lines) + "\n").encode())

    total = files = 0
    while total < args.size_mb * 1e6:
        total, files = total + one_file(), files + 1
    for _ in range(8):
        total, files = total + one_file(ignored=True), files + 1
    for i in range(12):  # binary files (a NUL among the first bytes) with a key and a card inside
        rel = f"assets/img/banner-{i}.png" if i % 2 else f"data/snapshots/cache-{i}.bin"
        secret = f"\naws_access_key_id = {aws_key_id(True)}\ncard {card(True)}\n".encode()
        total += write(os.path.join(root, rel), b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + R.randbytes(2000)
                       + secret + R.randbytes(4000))
        decoys.append({"path": rel, "line": None, "class": CRED, "detector": "aws-access-key-id", "reason": "binary"})
    for name, rows in (("truth.jsonl", truth), ("decoys.jsonl", decoys)):
        with open(os.path.join(args.dir, name), "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
    print(f"{files + 12} files, {total / 1e6:.1f} MB, {len(truth)} planted, {len(decoys)} decoys "
          f"in {time.time() - started:.1f} s")
    invalid = Counter(d["detector"] for d in decoys if d["reason"] == "invalid" and not d["path"].startswith("build/"))
    for (c, d), k in sorted(Counter((r["class"], r["detector"]) for r in truth).items()):
        print(f"  {c:20} {d:28} {k:6} planted {invalid[d]:6} decoys")
    for what, k in sorted(STATS.items()):
        print(f"  note: {what} x{k}")

def check(args):
    root, started = os.path.join(args.dir, "corpus"), time.time()
    load = lambda name: [json.loads(x) for x in open(os.path.join(args.dir, name))]
    truth = {(t["path"], t["line"]): t["detector"] for t in load("truth.jsonl")}
    decoys = {(d["path"], d["line"]) for d in load("decoys.jsonl") if d["reason"] == "invalid"}
    planted_in = defaultdict(set)
    for p, n in truth:
        planted_in[p].add(n)
    with open(os.path.join(root, ".gitignore")) as f:  # it lists directories only (`name/`)
        skip = {x.strip().strip("/") for x in f if x.strip() and not x.startswith("#")}
    errors, seen, counts = [], set(), Counter()
    for dirpath, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip]
        for name in names:
            rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
            data = open(os.path.join(root, rel), "rb").read()
            if b"\0" in data:
                counts["binary"] += 1
                continue
            text = data.decode()
            lines = text.split("\n")  # lines end at \n only, as the scanner counts them
            counts["bytes"] += len(data)
            # One pass over the whole text finds the lines holding a candidate (none spans lines).
            ends, end, hit, j = [], -1, set(), 0
            for line in lines:
                end += len(line) + 1
                ends.append(end)
            for m in RAW.finditer(text):
                while ends[j] < m.start():
                    j += 1
                hit.add(j + 1)
            for n in sorted(hit | planted_in[rel]):
                line, key = lines[n - 1] if n <= len(lines) else "", (rel, n)
                found = (FWD.scan(line), REV.scan(line))
                if key in truth:
                    seen.add(key)
                    counts["planted"] += 1
                    ok = found == ([truth[key]], [truth[key]])
                else:
                    counts["decoy" if key in decoys else "stray"] += 1
                    ok = key in decoys and found == ([], [])
                if not ok:
                    errors.append(f"{rel}:{n}: found {found[0]} / {found[1]}, planted {truth.get(key)}: {line[:100]}")
    errors += [f"{p}:{n}: planted {truth[(p, n)]} in a file the scanner skips" for p, n in sorted(set(truth) - seen)]
    print(f"{counts['bytes'] / 1e6:.1f} MB of text checked in {time.time() - started:.1f} s: {counts['planted']} planted "
          f"lines, {counts['decoy']} decoy lines, {counts['stray']} other lines with a candidate; "
          f"{counts['binary']} binary files and {', '.join(sorted(skip))} skipped")
    for e in errors[:30]:
        print("  " + e)
    print(f"{len(errors)} problems")
    return 1 if errors else 0

def corpus_path(path):
    """A path as the scanner or rg printed it, relative to the corpus: what follows the last `corpus/`."""
    p = path.replace("\\", "/")
    if p.startswith("corpus/") or "/corpus/" in p:
        p = p[p.rfind("corpus/") + len("corpus/"):]
    return p[2:] if p.startswith("./") else p

def rg_detector(text):
    """Which detector an rg match belongs to: rg prints the text, not the pattern."""
    for how in ("fullmatch", "search"):
        for d in ORDER:
            if getattr(PY[d], how)(text):
                return d
    return None

def score(args):
    group = (lambda r: r["detector"]) if args.by_detector else (lambda r: r["class"])
    planted = {(t["path"], t["line"], group(t)) for t in map(json.loads, filter(str.strip, open(args.truth)))}
    found, unparsed = set(), 0
    for x in open(args.findings, errors="replace"):
        try:
            r = json.loads(x)
            found.add((corpus_path(r["path"]), int(r["line"]), group(r)))
        except (ValueError, KeyError, TypeError):  # a summary or a message: not a finding
            unparsed += bool(x.strip())
    rg_matches, rg_lines = Counter(), set()
    for x in open(args.rg, errors="replace") if args.rg else []:
        path, line, text = (x.rstrip("\n").split(":", 2) + ["", ""])[:3]
        if line.isdigit():
            d = rg_detector(text)
            g = (d if args.by_detector else CLASS[d]) if d else "unclassified"
            rg_matches[g] += 1
            rg_lines.add((corpus_path(path), int(line), g))
    rows = {}
    for g in sorted({k[2] for k in planted | found | rg_lines}) + ["total"]:
        pick = (lambda keys: keys) if g == "total" else (lambda keys: {k for k in keys if k[2] == g})
        p, f = pick(planted), pick(found)
        tp = len(p & f)
        rows[g] = {"planted": len(p), "found": len(f), "tp": tp, "fp": len(f - p), "fn": len(p - f),
                   "precision": round(tp / len(f), 4) if f else None, "recall": round(tp / len(p), 4) if p else None}
        if args.rg:  # rg's matches and its false positives: lines with a match and nothing planted
            rows[g].update(rg_matches=sum(rg_matches.values()) if g == "total" else rg_matches[g],
                           rg_lines=len(pick(rg_lines)), rg_fp_lines=len(pick(rg_lines) - planted))
    if args.json:
        print(json.dumps({"by": "detector" if args.by_detector else "class", "rows": rows, "unparsed": unparsed}))
        return 0
    pct = lambda v: "-" if v is None else f"{100 * v:.1f}%"
    print(f"{'detector' if args.by_detector else 'class':28} {'planted':>8} {'found':>8} {'TP':>8} {'FP':>6} "
          f"{'precision':>9} {'recall':>7}" + (f" | {'rg matches':>10} {'rg FP lines':>11}" if args.rg else ""))
    for g, r in rows.items():
        print(f"{g:28} {r['planted']:8} {r['found']:8} {r['tp']:8} {r['fp']:6} {pct(r['precision']):>9} "
              f"{pct(r['recall']):>7}" + (f" | {r['rg_matches']:10} {r['rg_fp_lines']:11}" if args.rg else ""))
    if unparsed:
        print(f"({unparsed} lines of {args.findings} were not findings)")
    return 0

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make", help="write DIR/corpus, DIR/truth.jsonl and DIR/decoys.jsonl")
    m.add_argument("dir")
    m.add_argument("--size-mb", type=float, default=60)
    m.add_argument("--seed", type=int, default=7)
    sub.add_parser("check", help="verify a corpus line by line").add_argument("dir")
    s = sub.add_parser("score", help="precision and recall of the scanner's findings")
    s.add_argument("truth")
    s.add_argument("findings", help="the scanner's JSON lines")
    s.add_argument("--rg", help="ripgrep's output (path:line:match) to compare with")
    s.add_argument("--by-detector", action="store_true", help="a row per detector rather than per class")
    s.add_argument("--json", action="store_true", help="one JSON object rather than a table")
    sub.add_parser("patterns", help="the candidate patterns in Rust syntax, one per line (rg -f)")
    args = ap.parse_args()
    if args.command == "patterns":
        print("\n".join(p for _, _, p in DETECTORS))
        return 0
    return {"make": make, "check": check, "score": score}[args.command](args)

if __name__ == "__main__":
    sys.exit(main())
