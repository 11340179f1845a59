/*
 * bcryptprimitives.dll stand-in for Wine 8 (Debian 12's wine64 ships no such DLL).
 *
 * Rust's std (1.78 and later) takes its random bytes, e.g. for HashMap seeds, from
 * bcryptprimitives!ProcessPrng. Without this DLL every Rust program dies at load time
 * under Wine 8 (c0000135, exit code 53). This DLL exports ProcessPrng and fills the
 * buffer from advapi32!SystemFunction036 (RtlGenRandom), which Wine has always had.
 *
 * It is only for the Wine test prefix: real Windows 8.1+ has the real DLL, and the
 * shipped wudiag.exe never carries this file.
 *
 * Build: x86_64-w64-mingw32-gcc -O2 -shared -s -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

/* RtlGenRandom's real export name; declared here so no extra header is needed. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE out, SIZE_T len)
{
    /* SystemFunction036 takes a ULONG (32-bit) length: feed it in bounded pieces. */
    const SIZE_T piece = 1u << 30;
    while (len > 0) {
        ULONG n = (ULONG)(len < piece ? len : piece);
        if (!SystemFunction036(out, n))
            return FALSE;
        out += n;
        len -= n;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE module, DWORD reason, LPVOID reserved)
{
    (void)module;
    (void)reason;
    (void)reserved;
    return TRUE;
}
