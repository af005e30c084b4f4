"""Writes the scan benchmark's data into DIRECTORY (once: an existing one is kept).

usage: scan_data.py DIRECTORY

values.env: 100 values of 32 characters, as `awssecrets export` writes them; plain.txt: the
same values, one per line (for grep -F). tree/: 1 GB of mixed files as a job's artifacts hold
them: 100 text logs of 3.6 MB (every tenth holds one value), 100 binary files of 4 MiB of
random bytes, and a zip of 50 deflated text pages (180 MB once inflated).
"""
import os
import random
import sys
import zipfile

directory = sys.argv[1]
if os.path.exists(os.path.join(directory, "done")):
    sys.exit(0)
os.makedirs(os.path.join(directory, "tree", "logs"), exist_ok=True)
os.makedirs(os.path.join(directory, "tree", "bin"), exist_ok=True)
rng = random.Random(7)
alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=-_"
values = [f"v{i:03d}-" + "".join(rng.choice(alphabet) for _ in range(28)) for i in range(100)]
with open(os.path.join(directory, "values.env"), "w") as file:
    file.writelines(f"VALUE_{i:03d}='{value}'\n" for i, value in enumerate(values))
with open(os.path.join(directory, "plain.txt"), "w") as file:
    file.writelines(f"{value}\n" for value in values)
words = ("the quick brown fox jumps over lazy dog compile crate serde registry warning error "
         "info debug step cache hit ratio").split()
pool = [" ".join(rng.choice(words) for _ in range(14)) + f" {rng.randint(0, 10**9)}\n"
        for _ in range(5000)]
block = "".join(rng.choice(pool) for _ in range(40000)).encode()
for i in range(100):
    data = block if i % 10 else block[:1000] + values[i].encode() + block[1000:]
    with open(os.path.join(directory, "tree", "logs", f"job{i:03d}.log"), "wb") as file:
        file.write(data)
for i in range(100):
    with open(os.path.join(directory, "tree", "bin", f"blob{i:03d}.bin"), "wb") as file:
        file.write(rng.randbytes(4 * 1024 * 1024))
with zipfile.ZipFile(os.path.join(directory, "tree", "site.zip"), "w", zipfile.ZIP_DEFLATED) as archive:
    for i in range(50):
        archive.writestr(f"site/page{i:03d}.html", block)
open(os.path.join(directory, "done"), "w").close()
