#!/usr/bin/env python3
"""The crate's public Rust surface, as `cargo doc` shows it, one line per item.

`cargo public-api` needs nightly rustdoc JSON; this reads the stable HTML instead.
Starting at target/doc/codecommit_auth/index.html it follows the public modules, and
for every module lists its re-exports, and for every item page its declaration and the
headers of its inherent, trait and auto-trait impls and their members (blanket impls
such as `impl<T> From<T> for T` are left out: they come with every type). Items hidden
with #[doc(hidden)] have no page, so they are not listed. Only pages reached from the
root are read, so stale files a previous `cargo doc` left behind do not count.

usage: public_api.py DOC_DIR   (prints the listing)
"""

import html
import re
import sys
from pathlib import Path

CRATE = "codecommit_auth"


def text(fragment: str) -> str:
    """A fragment of HTML as one line of text."""
    fragment = re.sub(r"<[^>]+>", "", fragment)
    return " ".join(html.unescape(fragment).split())


def module_entries(page: str):
    """(kind, href) for each item a module page links to, and its re-export lines."""
    items = re.findall(r'<a class="(mod|struct|enum|trait|fn|type|constant|macro|static|union|attr|derive|traitalias|primitive)" href="([^"#]+)"', page)
    reexports = [text(m) for m in re.findall(r'<dt id="reexport\.[^"]*"><code>(.*?)</code>', page, re.S)]
    return items, reexports


def item_lines(page: str):
    """The declaration, members and impl headers of an item page.

    Trait impls are listed by their headers only (their members are the trait's), and
    of the auto traits only Send and Sync, so a new toolchain's rustdoc changes little.
    """
    cut = page.find('id="blanket-implementations"')
    if cut >= 0:
        page = page[:cut]
    marks = [
        (page.find('id="trait-implementations"'), "trait"),
        (page.find('id="synthetic-implementations"'), "auto"),
    ]
    out = []
    for m in re.finditer(
        r'<pre class="rust item-decl"><code>(.*?)</code></pre>'
        r'|<h3 class="code-header">(.*?)</h3>'
        r'|<h4 class="code-header">(.*?)</h4>',
        page,
        re.S,
    ):
        section = "own"
        for at, name in marks:
            if 0 <= at < m.start():
                section = name
        decl, impl, member = m.groups()
        if decl is not None:
            out.append(text(decl))
        elif impl is not None:
            impl = text(impl)
            if section != "auto" or re.match(r"impl(<.*>)? !?(Send|Sync) for ", impl):
                out.append("  " + impl)
        elif section == "own":
            out.append("    " + text(member))
    return out


def main() -> int:
    root = Path(sys.argv[1]) / CRATE
    if not (root / "index.html").is_file():
        print(f"no {root}/index.html: run `cargo doc --no-deps` first", file=sys.stderr)
        return 2
    lines = []
    seen = set()
    todo = [(CRATE, root / "index.html")]
    while todo:
        path, index = todo.pop()
        items, reexports = module_entries(index.read_text())
        lines.append(f"mod {path}")
        for r in sorted(reexports):
            lines.append(f"  {path}: {r}")
        for kind, href in items:
            target = (index.parent / href).resolve()
            if target in seen or not target.is_file():
                continue
            seen.add(target)
            if kind == "mod":
                name = href.split("/")[0]
                todo.append((f"{path}::{name}", target))
                continue
            # The item's own path, from where its page is (a re-export links there).
            rel = target.relative_to(root.resolve())
            name = "::".join([CRATE, *rel.parts[:-1], rel.name.split(".")[1]])
            lines.append(f"{kind} {name}")
            lines.extend("  " + l for l in item_lines(target.read_text()))
    # Sorted by module and item path, so the order rustdoc visits them in is no diff.
    blocks, block = [], []
    for line in lines:
        if not line.startswith(" ") and block:
            blocks.append(block)
            block = []
        block.append(line)
    blocks.append(block)
    blocks.sort(key=lambda b: (b[0].split(" ", 1)[1], b[0]))
    print("\n".join(l for b in blocks for l in b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
