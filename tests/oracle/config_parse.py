"""botocore's answers for tricky shared-config inputs, as test data for src/config.

Writes tests/data/oracle/config_parse.json (or checks it with --check). The Rust side
is tests/oracle_replay/config_parse.rs: it feeds each input to SharedConfig::from_sources (or
locate / profile_from_env) and compares with what botocore did here.

Pinned: botocore==1.44.8 (tests/oracle/requirements.txt) on CPython 3.11 with a UTF-8
locale; the script refuses to run otherwise. Nothing here goes to the network.

    HOME=$(mktemp -d) AWS_EC2_METADATA_DISABLED=true \
        /tmp/grc-oracle/bin/python tests/oracle/config_parse.py [--check]

Three lists:

- parse: a config and/or credentials file (text, or base64 bytes when not UTF-8;
  absent when null), run through a real botocore Session: full_config,
  available_profiles, and the raw (unnested) values of each file.
- locations: environment + platform + variable value -> the path botocore reads.
  Windows is simulated by running configloader with ntpath in place of posixpath.
- profiles: environment -> the profile botocore's session selects.
"""

import base64
import locale
import ntpath
import os
import sys
import tempfile
import types

import oracle_common

GENERATOR = 'tests/oracle/config_parse.py'
OUTPUT = os.path.join(oracle_common.DATA_DIR, 'config_parse.json')


def check_locale():
    if locale.getpreferredencoding(False) != 'UTF-8':
        raise SystemExit('the locale encoding must be UTF-8 (botocore reads files with it)')


# ---------------------------------------------------------------------------------
# parse cases: (name, config, credentials); None = file absent; bytes = not UTF-8.

B = lambda s: s.encode('utf-8')  # noqa: E731

PARSE = [
    # -- basics
    ('empty config', '', None),
    ('both absent', None, None),
    ('only comments and blanks', '# a\n; b\n\n   \n\t# c\n', None),
    ('default profile', '[default]\nregion = us-east-1\n', None),
    ('no trailing newline', '[default]\nregion = us-east-1', None),
    ('key case lowered, value case kept', '[default]\nRegion = US-EAST-1\n', None),
    # -- section headers (config file)
    ('profile spaces', '[profile  dev ]\nk = v\n', None),
    ('profile tab', '[profile\tdev]\nk = v\n', None),
    ('profile double quotes', '[profile "dev y"]\nk = v\n', None),
    ('profile single quotes', "[profile 'q']\nk = v\n", None),
    ('profile backslash consumed', '[profile a\\b]\nk = v\n', None),
    ('profile escaped space', '[profile a\\ b]\nk = v\n', None),
    ('profile three words dropped', '[profile dev z]\nk = v\n[profile ok]\n', None),
    ('profile unbalanced quote dropped', '[profile "unbalanced]\nk = v\n', None),
    ('profile alone dropped', '[profile]\nk = v\n', None),
    ('profiledev dropped', '[profiledev]\nk = v\n', None),
    ('leading space is top-level section', '[ profile x ]\nk = v\n', None),
    ('default with trailing space is top-level', '[default ]\nk = v\n', None),
    ('Profile capitalised is top-level', '[Profile Dev]\nk = v\n', None),
    ('any characters in profile names', '[profile foo!bar]\n[profile a:b/c%d.e@f+]\n', None),
    ('profiles prefix', '[profiles dev]\nk = v\n', None),
    ('profile_x prefix', '[profile_x dev]\nk = v\n', None),
    ('profile empty quoted name', '[profile ""]\nk = v\n', None),
    ('profile two empty words dropped', '[profile "" ""]\nk = v\n', None),
    ('profile trailing backslash dropped', '[profile a\\]\nk = v\n', None),
    ('profile escaped quote in quotes', '[profile "a\\"b"]\nk = v\n', None),
    ('profile backslash kept in double quotes', '[profile "a\\b"]\nk = v\n', None),
    ('profile backslash literal in single quotes', "[profile 'a\\b']\nk = v\n", None),
    ('profile vertical tab is not a separator', '[profile\x0bdev]\nk = v\n', None),
    ('profile ideographic space is not a separator', '[profile\u3000dev]\nk = v\n', None),
    ('profile quoted and joined word', '[profile x"y z"w]\nk = v\n', None),
    ('header name to last bracket', '[profile a]b]\nk = v\n', None),
    ('header trailing comment', '[default] ; c\nk = v\n', None),
    ('header adjacent comment', '[default]#c\nk = v\n', None),
    ('header trailing junk', '[profile x] junk\nk = v\n', None),
    ('header bracket name', '[]]\nk = v\n', None),
    ('header nested brackets', '[[a]]\nk = v\n', None),
    ('indented header without open key', '  [profile x]\nk = v\n', None),
    ('header with inner spaces kept', '[profile x ] \t\nk = v\n', None),
    ('Default is a plain section', '[Default]\nk = v\n', None),
    ('sso-session', '[sso-session my-sso]\nsso_region = us-east-1\n[default]\nsso_session = my-sso\n', None),
    ('sso-session quoted', '[sso-session "a b"]\nk = v\n', None),
    ('sso-sessionfoo dropped', '[sso-sessionfoo]\nk = v\n', None),
    ('sso-session three words dropped', '[sso-session a b]\nk = v\n', None),
    ('sso-sessions prefix', '[sso-sessions x]\nk = v\n', None),
    ('services', '[services svc]\ns3 =\n  endpoint_url = http://localhost:1\n', None),
    ('servicesx prefix', '[servicesx y]\nk = v\n', None),
    ('plugins and preview sections', '[plugins]\ncli_legacy_plugin_path = /x\n[preview]\ncloudfront = true\n', None),
    ('sso_sessions section is lost', '[sso_sessions]\nk = v\n[default]\n', None),
    ('section named profiles', '[profiles]\nk = v\n', None),
    ('section named services', '[services]\nk = v\n', None),
    # -- header errors
    ('unterminated header at top', '[profile foo', None),
    ('unterminated header in section', '[default]\n[profile foo\n', None),
    ('empty header at top', '[]\n', None),
    ('empty header in section', '[default]\n[]\n', None),
    ('empty header with text after', '[] junk\n', None),
    ('bracket key in section', '[default]\n[x = y\n', None),
    ('empty-bracket key in section', '[default]\n[] = y\n', None),
    # -- keys and values
    ('colon delimiter', '[default]\nregion: us-east-1\n', None),
    ('spaced colon delimiter', '[default]\nregion : us-east-1\n', None),
    ('first delimiter wins colon', '[default]\nk: a = b\n', None),
    ('first delimiter wins equals', '[default]\nk = a: b\n', None),
    ('equals in value', '[default]\nk = a=b=c\n', None),
    ('no spaces', '[default]\nk=v\n', None),
    ('tabs around delimiter', '[default]\nk\t=\tv\t\n', None),
    ('empty value', '[default]\nk =\n', None),
    ('whitespace-only value', '[default]\nk =    \t\n', None),
    ('key with spaces', '[default]\nin valid = v\n', None),
    ('quotes kept in value', '[default]\nk = "v"\nj = \'w\'\n', None),
    ('inline hash comment kept', '[default]\nregion = us-east-1 # x\n', None),
    ('inline semicolon comment kept', '[default]\nregion = us-east-1 ; x\n', None),
    ('adjacent comment chars kept', '[default]\nk = v;x\nj = v#y\n', None),
    ('value starting with hash', '[default]\nk = #v\n', None),
    ('unicode key lower-cased', '[default]\n\u0130 = 1\n\u03a3\u0391\u03a3 = 2\nSTRASSE = 3\n', None),
    ('non-ascii value', '[default]\nk = caf\u00e9 \U0001F600\n', None),
    ('NUL in value', '[default]\nk = a\x00b\n', None),
    ('form feed in value', '[default]\nk = a\x0cb\n', None),
    ('NEL and line separator in value', '[default]\nk = a\x85b\u2028c\n', None),
    ('empty key equals', '[default]\n= v\n', None),
    ('empty key colon', '[default]\n: v\n', None),
    ('empty key spaced', '[default]\n   = v\n', None),
    ('no delimiter', '[default]\nnovalue\n', None),
    ('key before section', 'region = us-east-1\n[default]\n', None),
    ('duplicate key', '[default]\nregion = a\nregion = b\n', None),
    ('duplicate key by case', '[default]\nregion = a\nRegion = b\n', None),
    ('duplicate key by unicode case', '[default]\n\u03a3 = a\n\u03c3 = b\n', None),
    ('same key in two sections', '[default]\nk = a\n[profile x]\nk = b\n', None),
    # -- continuation lines
    ('continuation', '[default]\nk = v\n  more\n', None),
    ('two continuations', '[default]\nk = v\n  more\n\tmore2\n', None),
    ('continuation trimmed', '[default]\nk = v\n \t more \t \n', None),
    ('continuation with equals stays string', '[default]\nsecret = abc\n  def = g\n', None),
    ('same indent is new key', '[default]\n  region = a\n  output = b\n', None),
    ('deeper indent continues', '[default]\n  region = a\n    output = b\n', None),
    ('shallower indent is new key', '[default]\n    region = a\n  output = b\n', None),
    ('indented key after header', '[default]\n  k = v\n', None),
    ('blank line inside value', '[default]\nk = v\n\n  cont\n', None),
    ('several blank lines inside value', '[default]\nk = v\n\n\t\n  cont\n\n\nj = w\n', None),
    ('trailing blank lines dropped', '[default]\nk = v\n  a\n\n\n', None),
    ('comment between continuations', '[default]\nk = v\n  a\n# c\n  b\n', None),
    ('indented comment between continuations', '[default]\nk = v\n  a\n    ; c\n  b\n', None),
    ('continuation hash kept', '[default]\nk = v\n  -c # x\n', None),
    ('indented header is continuation', '[default]\nregion = a\n  [profile x]\n', None),
    ('indented default header is continuation', '[profile a]\nk = v\n [default]\nj = w\n', None),
    ('continuation before any section', '  cont\n[default]\n', None),
    ('continuation after header', '[default]\n  cont\n', None),
    ('continuation after comment after header', '[default]\n# c\n  cont\n', None),
    ('continuation after empty key error', '[default]\n= v\n  cont\n', None),
    ('tab indentation', '[default]\nk = v\n\tcont\n', None),
    ('ideographic space indentation', '[default]\nk = v\n\u3000cont\n', None),
    ('ideographic space vs two spaces', '[default]\n  k = v\n\u3000j = w\n', None),
    ('no-break space indentation', '[default]\nk = v\n\u00a0cont\n', None),
    ('information separator indentation', '[default]\nk = v\n\x1ccont\n', None),
    ('information separator around key', '[default]\nk\x1f = v\x1f\n', None),
    ('information separator only line', '[default]\nk = v\n\x1f\n  cont\n', None),
    ('continuation in DEFAULT', '[DEFAULT]\nk = v\n  more\n[default]\n', None),
    ('value of only blank continuations', '[default]\nk =\n\n\n[profile x]\n', None),
    # -- nested values
    ('nested', '[default]\ns3 =\n  addressing_style = path\n  signature_version = s3v4\n', None),
    ('nested with blank line', '[default]\ns3 =\n  a = 1\n\n  b = 2\n', None),
    ('nested after blank line', '[default]\ns3 =\n\n  a = 1\n', None),
    ('nested with comment', '[default]\ns3 =\n  a = 1\n  # c\n  b = 2\n', None),
    ('nested line without equals', '[default]\ns3 =\n  invalid\n', None),
    ('nested region trap', '[default]\nregion =\n  us-east-1\n', None),
    ('nested empty inner key', '[default]\ns3 =\n  = v\n', None),
    ('nested empty inner value', '[default]\ns3 =\n  a =\n', None),
    ('nested duplicate inner keys', '[default]\ns3 =\n  a = 1\n  b = 2\n  a = 3\n', None),
    ('nested inner case kept', '[default]\ns3 =\n  Addressing_Style = Path\n', None),
    ('nested inner equals in value', '[default]\ns3 =\n  a = b = c\n', None),
    ('nested inner colon is not a delimiter', '[default]\ns3 =\n  a: b\n', None),
    ('nested inner spaces in key', '[default]\ns3 =\n  in valid = v\n', None),
    ('nested form feed splits', '[default]\ns3 =\n  a = 1\x0cb = 2\n', None),
    ('nested form feed bad piece', '[default]\ns3 =\n  a = 1\x0cbad\n', None),
    ('nested line separator splits', '[default]\ns3 =\n  a = 1\u2028b = 2\n', None),
    ('nested information separator strips', '[default]\ns3 =\n  a = 1\x1f\n', None),
    ('nested first line later bad', '[default]\ns3 =\n  a = 1\n  bad\n', None),
    ('not nested when value on key line', '[default]\ns3 = x\n  a = 1\n  bad\n', None),
    ('nested in credentials file', None, '[default]\ns3 =\n  a = 1\n'),
    ('nested bad in credentials file', None, '[default]\ns3 =\n  bad\n'),
    ('nested bad in DEFAULT inherited', '[DEFAULT]\ns3 =\n  bad\n[default]\n', None),
    ('nested bad in DEFAULT overridden', '[DEFAULT]\ns3 =\n  bad\n[default]\ns3 = x\n', None),
    ('nested bad in DEFAULT overridden by one of two', '[DEFAULT]\ns3 =\n  bad\n[default]\ns3 = x\n[profile b]\n', None),
    ('nested bad in DEFAULT without sections', '[DEFAULT]\ns3 =\n  bad\n', None),
    ('nested good in DEFAULT inherited', '[DEFAULT]\ns3 =\n  a = 1\n[default]\n[profile b]\ns3 =\n  c = 2\n', None),
    # -- [DEFAULT]
    ('DEFAULT injects', '[default]\naws_access_key_id = AK\n[DEFAULT]\naws_secret_access_key = SK\n', None),
    ('DEFAULT section key wins', '[DEFAULT]\nregion = a\noutput = json\n[profile x]\nregion = b\n', None),
    ('DEFAULT key order', '[DEFAULT]\nz = 1\na = 2\n[default]\nm = 3\na = 4\n', None),
    ('DEFAULT twice', '[DEFAULT]\na = 1\n[default]\n[DEFAULT]\nb = 2\n', None),
    ('DEFAULT twice duplicate key', '[DEFAULT]\na = 1\n[default]\n[DEFAULT]\nA = 2\n', None),
    ('DEFAULT only', '[DEFAULT]\nregion = a\n', None),
    ('DEFAULT into sso-session and services', '[DEFAULT]\nr = 1\n[sso-session s]\n[services v]\n[plugins]\n', None),
    ('DEFAULT in credentials', None, '[DEFAULT]\nregion = a\n[p]\nk = v\n[q]\nregion = b\n'),
    ('DEFAULT separate per file', '[DEFAULT]\nc = 1\n[profile p]\n', '[DEFAULT]\nd = 2\n[p]\n[q]\n'),
    ('empty DEFAULT', '[DEFAULT]\n[default]\nk = v\n', None),
    # -- duplicates and name collisions
    ('duplicate section', '[default]\n[default]\n', None),
    ('duplicate profile section', '[profile a]\nk = 1\n[profile a]\nj = 2\n', None),
    ('default then profile default', '[default]\na = 1\n[profile x]\n[profile default]\nb = 2\n', None),
    ('profile default then default', '[profile default]\nb = 2\n[profile x]\n[default]\na = 1\n', None),
    ('profile x and quoted x', '[profile x]\na = 1\n[profile y]\n[profile "x"]\nb = 2\n', None),
    ('duplicate section in credentials', None, '[a]\n[a]\n'),
    ('duplicate key in credentials', None, '[a]\nk = 1\nK = 2\n'),
    # -- encoding and line endings
    ('CRLF', '[default]\r\nregion = a\r\n  cont\r\n', None),
    ('lone CR', '[default]\rregion = a\r  cont\r', None),
    ('mixed line endings', '[default]\r\na = 1\rb = 2\nc = 3\r\n', None),
    ('BOM', '\ufeff[default]\nregion = a\n', None),
    ('BOM before comment', '\ufeff# c\n[default]\n', None),
    ('BOM in credentials', '[default]\n', '\ufeff[default]\n'),
    ('BOM after blank line', '\n\ufeff[default]\n', None),
    ('BOM inside value', '[default]\nk = \ufeffv\n', None),
    ('invalid utf-8', b'[default]\nk = \xff\n', None),
    ('invalid utf-8 in comment', b'[default]\n# \xc3\x28\nk = v\n', None),
    ('surrogate bytes', b'[default]\nk = \xed\xa0\x80\n', None),
    ('overlong NUL', b'[default]\nk = \xc0\x80\n', None),
    ('latin-1 bytes', b'[default]\nk = caf\xe9\n', None),
    ('invalid utf-8 in credentials', '[default]\n', b'[a]\nk = \xfe\n'),
    ('long line', '[default]\nk = ' + 'x' * 5000 + '\n', None),
    # -- the two files together
    ('credentials win key by key', '[profile a]\nregion = r1\noutput = json\n', '[a]\nregion = r2\naws_access_key_id = AK\n'),
    ('credentials-only profiles come last', '[profile b]\n[default]\n', '[c]\n[default]\n[a]\n'),
    ('credentials profile prefix is literal', None, '[profile foo]\nk = v\n'),
    ('credentials spaces kept', None, '[   foo    ]\nk = v\n'),
    ('credentials sso-session is a profile', None, '[sso-session x]\nk = v\n'),
    ('credentials names with spaces', None, '[in valid 2]\nk = v\n'),
    ('credentials default in both', '[default]\nregion = a\n', '[default]\naws_access_key_id = AK\naws_secret_access_key = SK\n'),
    ('config profile vs credentials section name', '[profile foo]\na = 1\n', '[profile foo]\nb = 2\n[foo]\nc = 3\n'),
    ('static keys stay apart', '[profile p]\naws_session_token = T\n', '[p]\naws_access_key_id = AK\naws_secret_access_key = SK\n'),
    ('config error wins', '[default]\nnovalue\n', '[a]\nnovalue\n'),
    ('credentials error', '[default]\n', '[a]\nnovalue\n'),
    ('config absent credentials present', None, '[a]\nk = v\n'),
    ('empty credentials file', '[default]\nk = v\n', ''),
    ('credentials keys appended in order', '[profile a]\nz = 1\ny = 2\n', '[a]\nx = 3\ny = 4\nw = 5\n'),
    ('credentials key before section', '[default]\n', 'aws_access_key_id = AK\n'),
    ('boto2 credentials file', None, 'AWSAccessKeyId=foo\nAWSSecretKey=bar\n'),
    # -- odd whitespace and comments
    ('comment indented', '[default]\n   # c\nk = v\n', None),
    ('comment before any section', '# c\n; d\n[default]\n', None),
    ('semicolon comment only char', '[default]\n;\nk = v\n', None),
    ('hash in key', '[default]\nk#x = v\n', None),
    ('semicolon key line is a comment', '[default]\n;k = v\n', None),
    ('no-break spaces around key and value', '[default]\n\u00a0k\u00a0=\u00a0v\u00a0\n', None),
    ('header with information separator', '[default]\x1c\nk = v\n', None),
    ('whitespace-only line of exotic spaces', '[default]\nk = v\n\u3000\u00a0\n  cont\n', None),
    ('many profiles', ''.join('[profile p%d]\nk = %d\n' % (i, i) for i in range(50)), None),
]


def write_file(directory, name, content):
    path = os.path.join(directory, name)
    if content is None:
        return path + '.absent'
    with open(path, 'wb') as f:
        f.write(content if isinstance(content, bytes) else content.encode('utf-8'))
    return path


def describe_input(content):
    if content is None:
        return None
    if isinstance(content, bytes):
        return {'base64': base64.b64encode(content).decode('ascii')}
    return {'text': content}


def pairs(d):
    return [[k, v] for k, v in d.items()]


def run_parse(name, config, credentials):
    import botocore.configloader as cl
    import botocore.exceptions
    import botocore.session

    with tempfile.TemporaryDirectory() as tmp:
        cfg = write_file(tmp, 'config', config)
        creds = write_file(tmp, 'credentials', credentials)
        os.environ['AWS_CONFIG_FILE'] = cfg
        os.environ['AWS_SHARED_CREDENTIALS_FILE'] = creds
        case = {'name': name, 'config': describe_input(config),
                'credentials': describe_input(credentials)}
        session = botocore.session.Session()
        try:
            full = session.full_config
            available = session.available_profiles
        except botocore.exceptions.ConfigParseError as e:
            which = {cfg: 'config', creds: 'credentials'}[e.kwargs['path']]
            case['error'] = {'class': type(e).__name__, 'file': which}
            return case
        # The same files without nesting: the raw strings our `get` returns.
        try:
            raw_cfg = cl.build_profile_map(cl.raw_config_parse(cfg, parse_subsections=False))
        except botocore.exceptions.ConfigNotFound:
            raw_cfg = {'profiles': {}, 'sso_sessions': {}, 'services': {}}
        try:
            raw_creds = cl.raw_config_parse(creds, parse_subsections=False)
        except botocore.exceptions.ConfigNotFound:
            raw_creds = {}

        def entries(raw, nested):
            return [[k, v, pairs(nested[k]) if isinstance(nested[k], dict) else None]
                    for k, v in raw.items()]

        profiles = []
        for pname in available:
            cfg_part = raw_cfg['profiles'].get(pname)
            cred_part = raw_creds.get(pname)
            merged = dict(cfg_part or {})
            merged.update(cred_part or {})
            profiles.append({
                'name': pname,
                'merged': entries(merged, full['profiles'][pname]),
                'config': pairs(cfg_part) if cfg_part is not None else None,
                'credentials': pairs(cred_part) if cred_part is not None else None,
            })
        case['result'] = {
            'profile_names': available,
            'profiles': profiles,
            'sso_sessions': [[n, entries(v, full['sso_sessions'][n])]
                             for n, v in raw_cfg['sso_sessions'].items()],
            'services': [[n, entries(v, full['services'][n])]
                         for n, v in raw_cfg['services'].items()],
            'sections': [[n, entries(v, full[n])] for n, v in raw_cfg.items()
                         if n not in ('profiles', 'sso_sessions', 'services')],
        }
        return case


# ---------------------------------------------------------------------------------
# locations: (name, platform, env, variable or None for the default config path)

LOCATIONS = [
    ('posix default', 'unix', {'HOME': '/home/u'}, None),
    ('posix HOME trailing slash', 'unix', {'HOME': '/home/u/'}, None),
    ('posix HOME root', 'unix', {'HOME': '/'}, None),
    ('posix HOME empty', 'unix', {'HOME': ''}, None),
    ('posix HOME unset uses account', 'unix', {}, None),
    ('posix var', 'unix', {'HOME': '/h', 'AWS_CONFIG_FILE': '/etc/cfg'}, None),
    ('posix var empty', 'unix', {'HOME': '/h', 'AWS_CONFIG_FILE': ''}, None),
    ('posix tilde', 'unix', {'HOME': '/h', 'AWS_CONFIG_FILE': '~/sub/cfg'}, None),
    ('posix tilde alone', 'unix', {'HOME': '/h', 'AWS_CONFIG_FILE': '~'}, None),
    ('posix tilde user left', 'unix', {'HOME': '/h', 'AWS_CONFIG_FILE': '~nosuchuser-xyz/cfg'}, None),
    ('posix tilde not leading', 'unix', {'HOME': '/h', 'AWS_CONFIG_FILE': 'a/~/cfg'}, None),
    ('posix dollar var', 'unix', {'HOME': '/h', 'AWS_CONFIG_FILE': '$HOME/sub/cfg'}, None),
    ('posix braced var', 'unix', {'HOME': '/h', 'D': '/d', 'AWS_CONFIG_FILE': '${D}/cfg'}, None),
    ('posix unknown var kept', 'unix', {'HOME': '/h', 'AWS_CONFIG_FILE': '$NOPE/${NOPE2}/cfg'}, None),
    ('posix var not reexpanded', 'unix', {'HOME': '/h', 'A': '$B', 'B': 'x', 'AWS_CONFIG_FILE': '/$A/cfg'}, None),
    ('posix var to tilde', 'unix', {'HOME': '/h', 'T': '~', 'AWS_CONFIG_FILE': '$T/cfg'}, None),
    ('posix empty braces', 'unix', {'HOME': '/h', 'AWS_CONFIG_FILE': '/a/${}/b'}, None),
    ('posix unclosed brace', 'unix', {'HOME': '/h', 'X': 'x', 'AWS_CONFIG_FILE': '/a/${X/$X'}, None),
    ('posix dollar at end', 'unix', {'HOME': '/h', 'AWS_CONFIG_FILE': '/a/$'}, None),
    ('posix dollar dollar', 'unix', {'HOME': '/h', 'AWS_CONFIG_FILE': '/a/$$x'}, None),
    ('posix var name stops at dash', 'unix', {'HOME': '/h', 'A': 'x', 'AWS_CONFIG_FILE': '/$A-b'}, None),
    ('posix var empty value', 'unix', {'HOME': '/h', 'E': '', 'AWS_CONFIG_FILE': '$E'}, None),
    ('posix percent not expanded', 'unix', {'HOME': '/h', 'A': 'x', 'AWS_CONFIG_FILE': '/%A%/c'}, None),
    ('posix credentials default', 'unix', {'HOME': '/home/u'}, 'AWS_SHARED_CREDENTIALS_FILE'),
    ('posix credentials var', 'unix', {'HOME': '/h', 'AWS_SHARED_CREDENTIALS_FILE': '~/c'}, 'AWS_SHARED_CREDENTIALS_FILE'),
    ('windows USERPROFILE', 'windows', {'USERPROFILE': 'C:\\Users\\u'}, None),
    ('windows HOME ignored', 'windows', {'HOME': 'C:\\h', 'USERPROFILE': 'C:\\Users\\u'}, None),
    ('windows HOME only', 'windows', {'HOME': 'C:\\h'}, None),
    ('windows nothing', 'windows', {}, None),
    ('windows HOMEDRIVE HOMEPATH', 'windows', {'HOMEDRIVE': 'C:', 'HOMEPATH': '\\users\\u'}, None),
    ('windows HOMEPATH only', 'windows', {'HOMEPATH': '\\users\\u'}, None),
    ('windows HOMEDRIVE only', 'windows', {'HOMEDRIVE': 'C:'}, None),
    ('windows HOMEPATH relative', 'windows', {'HOMEDRIVE': 'C:', 'HOMEPATH': 'users'}, None),
    ('windows HOMEDRIVE UNC', 'windows', {'HOMEDRIVE': '\\\\srv\\share', 'HOMEPATH': 'u'}, None),
    ('windows HOMEPATH other drive', 'windows', {'HOMEDRIVE': 'C:', 'HOMEPATH': 'D:x'}, None),
    ('windows HOMEPATH same drive other case', 'windows', {'HOMEDRIVE': 'C:', 'HOMEPATH': 'c:x'}, None),
    ('windows HOMEDRIVE with slash', 'windows', {'HOMEDRIVE': 'C:\\', 'HOMEPATH': 'u'}, None),
    ('windows USERPROFILE empty', 'windows', {'USERPROFILE': ''}, None),
    ('windows USERPROFILE trailing backslash', 'windows', {'USERPROFILE': 'C:\\Users\\u\\'}, None),
    ('windows var', 'windows', {'USERPROFILE': 'C:\\u', 'AWS_CONFIG_FILE': 'D:\\cfg'}, None),
    ('windows tilde backslash', 'windows', {'USERPROFILE': 'C:\\u', 'AWS_CONFIG_FILE': '~\\sub\\cfg'}, None),
    ('windows tilde slash', 'windows', {'USERPROFILE': 'C:\\u', 'AWS_CONFIG_FILE': '~/sub/cfg'}, None),
    ('windows percent var', 'windows', {'USERPROFILE': 'C:\\u', 'APPDATA': 'C:\\ad', 'AWS_CONFIG_FILE': '%APPDATA%\\aws\\cfg'}, None),
    ('windows percent unknown', 'windows', {'USERPROFILE': 'C:\\u', 'AWS_CONFIG_FILE': '%NOPE%\\cfg'}, None),
    ('windows percent escape', 'windows', {'USERPROFILE': 'C:\\u', 'AWS_CONFIG_FILE': 'C:\\100%%\\cfg'}, None),
    ('windows percent unclosed', 'windows', {'USERPROFILE': 'C:\\u', 'AWS_CONFIG_FILE': 'C:\\a%b'}, None),
    ('windows dollar var with dash', 'windows', {'USERPROFILE': 'C:\\u', 'A-B': 'x', 'AWS_CONFIG_FILE': 'C:\\$A-B\\c'}, None),
    ('windows dollar braced', 'windows', {'USERPROFILE': 'C:\\u', 'A': 'x', 'AWS_CONFIG_FILE': 'C:\\${A}\\c'}, None),
    ('windows dollar braced unclosed', 'windows', {'USERPROFILE': 'C:\\u', 'AWS_CONFIG_FILE': 'C:\\${A\\c'}, None),
    ('windows dollar dollar', 'windows', {'USERPROFILE': 'C:\\u', 'AWS_CONFIG_FILE': 'C:\\$$A'}, None),
    ('windows dollar unknown', 'windows', {'USERPROFILE': 'C:\\u', 'AWS_CONFIG_FILE': 'C:\\$NOPE\\c'}, None),
    ('windows dollar alone', 'windows', {'USERPROFILE': 'C:\\u', 'AWS_CONFIG_FILE': 'C:\\$\\c'}, None),
    ('windows single quotes', 'windows', {'USERPROFILE': 'C:\\u', 'A': 'x', 'AWS_CONFIG_FILE': "C:\\'%A%'\\%A%"}, None),
    ('windows single quote unclosed', 'windows', {'USERPROFILE': 'C:\\u', 'A': 'x', 'AWS_CONFIG_FILE': "C:\\'%A%"}, None),
    ('windows credentials', 'windows', {'USERPROFILE': 'C:\\u'}, 'AWS_SHARED_CREDENTIALS_FILE'),
]


ACCOUNT_HOME = '/home/from-passwd'


def run_location(name, platform, env, variable):
    import botocore.configloader as cl
    import botocore.exceptions
    import botocore.session

    variable = variable or 'AWS_CONFIG_FILE'
    logical = {'AWS_CONFIG_FILE': 'config_file',
               'AWS_SHARED_CREDENTIALS_FILE': 'credentials_file'}[variable]
    saved_os = cl.os
    os.environ.clear()
    os.environ.update(env)
    case = {'name': name, 'platform': platform, 'env': env, 'variable': variable}
    import pwd
    saved_getpwuid = pwd.getpwuid
    if platform == 'unix' and 'HOME' not in env:
        # expanduser falls back to the passwd entry; pin it so the data does not depend
        # on the account that regenerates it.
        case['account_home'] = ACCOUNT_HOME
        pwd.getpwuid = lambda uid: types.SimpleNamespace(pw_dir=ACCOUNT_HOME)
    try:
        value = botocore.session.Session().get_config_variable(logical)
        if platform == 'windows':
            cl.os = types.SimpleNamespace(path=ntpath)
        try:
            cl.raw_config_parse(value)
            raise SystemExit('%s: a file exists at the located path' % name)
        except botocore.exceptions.ConfigNotFound as e:
            case['path'] = e.kwargs['path']
    finally:
        cl.os = saved_os
        pwd.getpwuid = saved_getpwuid
    return case


PROFILES = [
    ('none', {}),
    ('AWS_PROFILE', {'AWS_PROFILE': 'dev'}),
    ('AWS_DEFAULT_PROFILE', {'AWS_DEFAULT_PROFILE': 'ops'}),
    ('both', {'AWS_PROFILE': 'dev', 'AWS_DEFAULT_PROFILE': 'default'}),
    ('AWS_PROFILE empty', {'AWS_PROFILE': ''}),
    ('AWS_DEFAULT_PROFILE empty', {'AWS_DEFAULT_PROFILE': '', 'AWS_PROFILE': 'dev'}),
]


def run_profile(name, env):
    import botocore.session
    os.environ.clear()
    os.environ.update(env)
    return {'name': name, 'env': env,
            'profile': botocore.session.Session().get_config_variable('profile')}


def main():
    args = oracle_common.parse_args(__doc__.split('\n\n')[0]).parse_args()
    doc = oracle_common.reference_header(GENERATOR)  # refuses a wrong Python or botocore
    check_locale()
    base_env = dict(os.environ)
    doc['description'] = ('botocore answers for src/config (SharedConfig::from_sources, '
                          'locate, profile_from_env); replayed by tests/oracle_replay/config_parse.rs')
    doc['parse'] = [run_parse(*c) for c in PARSE]
    doc['locations'] = [run_location(*c) for c in LOCATIONS]
    doc['profiles'] = [run_profile(*c) for c in PROFILES]
    os.environ.clear()
    os.environ.update(base_env)
    return oracle_common.write_or_check(args.output or OUTPUT, doc, args.check, 'parse')


if __name__ == '__main__':
    sys.exit(main())
