/*
 * LD_PRELOAD for Debian's linux.uml (6.1) on hosts whose XSAVE area is
 * larger than AVX's (AVX-512, AMX).
 *
 * UML saves and restores each guest thread's FPU state with
 * ptrace(PTRACE_{GET,SET}REGSET, pid, NT_X86_XSTATE, iov) and a buffer
 * sized for AVX (832 bytes). The host kernel requires SETREGSET to pass
 * the full XSAVE size and answers EFAULT otherwise, so every guest
 * process dies at its first context switch ("ptrace set fp regs failed,
 * errno = 14").
 *
 * This keeps, per traced pid, a full-size copy of the last state read:
 * GETREGSET reads the full state and hands UML its first bytes; SETREGSET
 * lays UML's bytes over that copy and writes the full state back. For a
 * single-threaded guest process this restores everything exactly (also
 * across UML's page-fault stub, which runs a host signal handler that
 * resets the registers). For threads of one guest process (one host
 * process) the state beyond UML's buffer (AVX-512 upper halves, k
 * registers, zmm16-31) is not switched: guest.py tells glibc not to use
 * AVX-512.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif

typedef long (*ptrace_fn)(enum __ptrace_request, ...);

struct shadow {
	pid_t pid;
	int valid;
	unsigned char *buf;
};

static ptrace_fn real_ptrace;
static size_t full_size;
static struct shadow *shadows;
static size_t nshadows, capshadows;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static long call(enum __ptrace_request req, pid_t pid, void *addr, void *data)
{
	if (!real_ptrace)
		real_ptrace = (ptrace_fn)dlsym(RTLD_NEXT, "ptrace");
	return real_ptrace(req, pid, addr, data);
}

static struct shadow *shadow_for(pid_t pid)
{
	size_t i;

	for (i = 0; i < nshadows; i++)
		if (shadows[i].pid == pid)
			return &shadows[i];
	if (nshadows == capshadows) {
		size_t cap = capshadows ? capshadows * 2 : 64;
		struct shadow *n = realloc(shadows, cap * sizeof(*n));
		if (!n)
			return NULL;
		shadows = n;
		capshadows = cap;
	}
	shadows[nshadows].pid = pid;
	shadows[nshadows].valid = 0;
	shadows[nshadows].buf = calloc(1, full_size);
	if (!shadows[nshadows].buf)
		return NULL;
	return &shadows[nshadows++];
}

/* Read the full state of pid into its shadow. */
static long fetch(pid_t pid, unsigned char *buf)
{
	struct iovec iov = { buf, full_size };

	return call(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov);
}

static long xstate(enum __ptrace_request req, pid_t pid, struct iovec *uiov)
{
	struct shadow *sh;
	long ret;

	if (!full_size) {
		/* The kernel trims iov_len to the full regset size. */
		static unsigned char probe[65536];
		struct iovec iov = { probe, sizeof(probe) };

		ret = call(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov);
		if (ret < 0)
			return ret;
		full_size = iov.iov_len;
	}
	if (!uiov || uiov->iov_len >= full_size)
		return call(req, pid, (void *)NT_X86_XSTATE, uiov);

	sh = shadow_for(pid);
	if (!sh) {
		errno = ENOMEM;
		return -1;
	}
	if (req == PTRACE_GETREGSET || !sh->valid) {
		ret = fetch(pid, sh->buf);
		if (ret < 0)
			return ret;
		sh->valid = 1;
	}
	if (req == PTRACE_GETREGSET) {
		memcpy(uiov->iov_base, sh->buf, uiov->iov_len);
		return ret;
	}
	/*
	 * SETREGSET: what UML did not keep comes from the last read, not from
	 * the task now (after UML's page-fault stub ran a host signal handler,
	 * the task's extended state has been reset).
	 */
	memcpy(sh->buf, uiov->iov_base, uiov->iov_len);
	{
		struct iovec iov = { sh->buf, full_size };

		return call(PTRACE_SETREGSET, pid, (void *)NT_X86_XSTATE, &iov);
	}
}

long ptrace(enum __ptrace_request req, ...)
{
	va_list ap;
	pid_t pid;
	void *addr, *data;
	long ret;

	va_start(ap, req);
	pid = va_arg(ap, pid_t);
	addr = va_arg(ap, void *);
	data = va_arg(ap, void *);
	va_end(ap);

	if ((req == PTRACE_GETREGSET || req == PTRACE_SETREGSET) &&
	    (unsigned long)addr == NT_X86_XSTATE) {
		pthread_mutex_lock(&lock);
		ret = xstate(req, pid, data);
		pthread_mutex_unlock(&lock);
		return ret;
	}
	return call(req, pid, addr, data);
}
