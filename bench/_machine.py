"What the benchmark scripts record about the machine they ran on (imported by them; not a benchmark itself)."
import platform

def cpu_name() -> str:
    "The CPU's model name (x86 Linux), else what `platform` knows"
    try: return next(l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name'))
    except (OSError, StopIteration): return platform.processor() or '?'
