"""The Python reference's work for one remote, up to the hand-over: what
git-remote-codecommit 1.17 does before it runs `git remote-http`, then print the URL.

    python benches/grc_print_url.py codecommit://PROFILE@REPOSITORY

Used by benches/startup.sh to compare with `git-remote-codecommit --print-url`; the
interpreter must have git-remote-codecommit==1.17 (tests/oracle/requirements.txt).
"""

import sys

from git_remote_codecommit import Context, git_url

context = Context.from_url(sys.argv[1])
print(git_url(context.repository, context.version, context.region, context.credentials))
