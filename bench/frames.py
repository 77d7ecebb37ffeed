#!/usr/bin/env python3
"""Frame bytes of an echo-style handler (bench/echo_frame.sc): the 256-byte
buffer plus everything else the task's state needs. Aim: <= 64 bytes over
the buffer. Sizes come from the generator's --report, for the host and, when
the cross compiler is installed, for a Cortex-M4."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def frame_size(cc, cflags):
    with tempfile.TemporaryDirectory() as tmp:
        res = subprocess.run(
            [sys.executable, os.path.join(ROOT, 'generator.py'), '--report',
             '--cc', cc, '--cflags', cflags, '-o', tmp,
             '-I', os.path.join(ROOT, 'runtime', 'include'),
             '-I', os.path.join(ROOT, 'bench'),
             os.path.join(ROOT, 'bench', 'echo_frame.sc')],
            capture_output=True, text=True, check=True)
    m = re.search(r'echo_handler: frame (\d+) bytes', res.stdout)
    return int(m.group(1)), res.stdout


def main():
    targets = [('x86-64', os.environ.get('CC', 'cc'), '')]
    if shutil.which('arm-none-eabi-gcc'):
        targets.append(('cortex-m4', 'arm-none-eabi-gcc',
                        '-mcpu=cortex-m4 -mthumb'))
    for name, cc, cflags in targets:
        size, text = frame_size(cc, cflags)
        print('echo handler frame (%s): %d bytes = 256 buffer + %d '
              '(aim: <= 64)' % (name, size, size - 256))
        if name == 'x86-64':
            sys.stdout.write(''.join('    ' + l + '\n'
                                     for l in text.splitlines()[1:]))


if __name__ == '__main__':
    main()
