/* Counts a process's MPI calls and the wall time spent in them, per phase, through the
 * MPI profiling interface (PMPI), for measurement only: nothing in ctscale links it.
 *
 *   mpicc -O2 -shared -fPIC -o /tmp/mpi_calls.so bench/mpi_calls.c
 *   MPI_CALLS_DIR=/tmp/calls mpirun -n 64 -x LD_PRELOAD=/tmp/mpi_calls.so build/bin/ctscale-mpi ...
 *   /usr/bin/python3 bench/mpi_calls.py /tmp/calls
 *
 * A phase begins at each MPI_Pcontrol(1, "name") (ctscale's mpi::trace marks call it when
 * CTSCALE_TRACE=1); calls before the first are in phase "init". At MPI_Finalize each rank
 * writes $MPI_CALLS_DIR/rank.<R>: one line per phase and function that was called,
 * "phase function calls seconds", then "phase - wall seconds" for each phase's own
 * length, then MPI_Init's and MPI_Finalize's own time. */
#define _GNU_SOURCE
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum { max_phases = 64, max_functions = 48 };
static const char* function_names[max_functions];
static int function_count;
static char phase_names[max_phases][48] = {"init"};
static double phase_start[max_phases];
static double phase_length[max_phases];
static int phase = 0;
static long calls[max_phases][max_functions];
static double spent[max_phases][max_functions];
static double init_seconds;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int slot(const char* name) {
    for (int i = 0; i < function_count; ++i)
        if (function_names[i] == name) return i;
    if (function_count == max_functions) return max_functions - 1;
    function_names[function_count] = name;
    return function_count++;
}

#define TIMED(name, call)                          \
    do {                                           \
        static int id = -1;                        \
        if (id < 0) id = slot(name);               \
        const double t0 = now();                   \
        const int rc = call;                       \
        spent[phase][id] += now() - t0;            \
        ++calls[phase][id];                        \
        return rc;                                 \
    } while (0)

int MPI_Init(int* argc, char*** argv) {
    const double t0 = now();
    const int rc = PMPI_Init(argc, argv);
    init_seconds = now() - t0;
    phase_start[0] = now();
    return rc;
}
int MPI_Init_thread(int* argc, char*** argv, int required, int* provided) {
    const double t0 = now();
    const int rc = PMPI_Init_thread(argc, argv, required, provided);
    init_seconds = now() - t0;
    phase_start[0] = now();
    return rc;
}

int MPI_Pcontrol(const int level, ...) {
    if (level != 1 || phase + 1 >= max_phases) return MPI_SUCCESS;
    va_list args;
    va_start(args, level);
    const char* name = va_arg(args, const char*);
    va_end(args);
    const double t = now();
    phase_length[phase] = t - phase_start[phase];
    ++phase;
    snprintf(phase_names[phase], sizeof phase_names[phase], "%s", name ? name : "?");
    phase_start[phase] = t;
    return MPI_SUCCESS;
}

int MPI_Finalize(void) {
    const double t = now();
    phase_length[phase] = t - phase_start[phase];
    int rank = 0;
    PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
    const double f0 = now();
    const int rc = PMPI_Finalize();
    const double finalize_seconds = now() - f0;
    const char* dir = getenv("MPI_CALLS_DIR");
    if (dir) {
        mkdir(dir, 0755);
        char path[4096];
        snprintf(path, sizeof path, "%s/rank.%d", dir, rank);
        FILE* out = fopen(path, "w");
        if (out) {
            for (int p = 0; p <= phase; ++p) {
                fprintf(out, "%s - %ld %.6f\n", phase_names[p], 1L, phase_length[p]);
                for (int f = 0; f < function_count; ++f)
                    if (calls[p][f]) fprintf(out, "%s %s %ld %.6f\n", phase_names[p], function_names[f], calls[p][f], spent[p][f]);
            }
            fprintf(out, "MPI_Init - 1 %.6f\nMPI_Finalize - 1 %.6f\n", init_seconds, finalize_seconds);
            fclose(out);
        }
    }
    return rc;
}

/* Collectives, communicator and file calls, blocking point-to-point and completion. */
int MPI_Barrier(MPI_Comm c) { TIMED("Barrier", PMPI_Barrier(c)); }
int MPI_Ibarrier(MPI_Comm c, MPI_Request* r) { TIMED("Ibarrier", PMPI_Ibarrier(c, r)); }
int MPI_Bcast(void* b, int n, MPI_Datatype t, int root, MPI_Comm c) { TIMED("Bcast", PMPI_Bcast(b, n, t, root, c)); }
int MPI_Allreduce(const void* s, void* r, int n, MPI_Datatype t, MPI_Op o, MPI_Comm c) {
    TIMED("Allreduce", PMPI_Allreduce(s, r, n, t, o, c));
}
int MPI_Reduce(const void* s, void* r, int n, MPI_Datatype t, MPI_Op o, int root, MPI_Comm c) {
    TIMED("Reduce", PMPI_Reduce(s, r, n, t, o, root, c));
}
int MPI_Gather(const void* s, int sn, MPI_Datatype st, void* r, int rn, MPI_Datatype rt, int root, MPI_Comm c) {
    TIMED("Gather", PMPI_Gather(s, sn, st, r, rn, rt, root, c));
}
int MPI_Gatherv(const void* s, int sn, MPI_Datatype st, void* r, const int* rn, const int* d, MPI_Datatype rt,
                int root, MPI_Comm c) {
    TIMED("Gatherv", PMPI_Gatherv(s, sn, st, r, rn, d, rt, root, c));
}
int MPI_Scatter(const void* s, int sn, MPI_Datatype st, void* r, int rn, MPI_Datatype rt, int root, MPI_Comm c) {
    TIMED("Scatter", PMPI_Scatter(s, sn, st, r, rn, rt, root, c));
}
int MPI_Allgather(const void* s, int sn, MPI_Datatype st, void* r, int rn, MPI_Datatype rt, MPI_Comm c) {
    TIMED("Allgather", PMPI_Allgather(s, sn, st, r, rn, rt, c));
}
int MPI_Allgatherv(const void* s, int sn, MPI_Datatype st, void* r, const int* rn, const int* d, MPI_Datatype rt,
                   MPI_Comm c) {
    TIMED("Allgatherv", PMPI_Allgatherv(s, sn, st, r, rn, d, rt, c));
}
int MPI_Alltoall(const void* s, int sn, MPI_Datatype st, void* r, int rn, MPI_Datatype rt, MPI_Comm c) {
    TIMED("Alltoall", PMPI_Alltoall(s, sn, st, r, rn, rt, c));
}
int MPI_Alltoallv(const void* s, const int* sn, const int* sd, MPI_Datatype st, void* r, const int* rn,
                  const int* rd, MPI_Datatype rt, MPI_Comm c) {
    TIMED("Alltoallv", PMPI_Alltoallv(s, sn, sd, st, r, rn, rd, rt, c));
}
int MPI_Scan(const void* s, void* r, int n, MPI_Datatype t, MPI_Op o, MPI_Comm c) {
    TIMED("Scan", PMPI_Scan(s, r, n, t, o, c));
}
int MPI_Exscan(const void* s, void* r, int n, MPI_Datatype t, MPI_Op o, MPI_Comm c) {
    TIMED("Exscan", PMPI_Exscan(s, r, n, t, o, c));
}
int MPI_Comm_split(MPI_Comm c, int color, int key, MPI_Comm* out) {
    TIMED("Comm_split", PMPI_Comm_split(c, color, key, out));
}
int MPI_Comm_split_type(MPI_Comm c, int type, int key, MPI_Info i, MPI_Comm* out) {
    TIMED("Comm_split_type", PMPI_Comm_split_type(c, type, key, i, out));
}
int MPI_Comm_dup(MPI_Comm c, MPI_Comm* out) { TIMED("Comm_dup", PMPI_Comm_dup(c, out)); }
int MPI_Comm_create(MPI_Comm c, MPI_Group g, MPI_Comm* out) { TIMED("Comm_create", PMPI_Comm_create(c, g, out)); }
int MPI_Comm_free(MPI_Comm* c) { TIMED("Comm_free", PMPI_Comm_free(c)); }
int MPI_File_open(MPI_Comm c, const char* name, int mode, MPI_Info i, MPI_File* f) {
    TIMED("File_open", PMPI_File_open(c, name, mode, i, f));
}
int MPI_File_close(MPI_File* f) { TIMED("File_close", PMPI_File_close(f)); }
int MPI_File_set_view(MPI_File f, MPI_Offset d, MPI_Datatype e, MPI_Datatype t, const char* rep, MPI_Info i) {
    TIMED("File_set_view", PMPI_File_set_view(f, d, e, t, rep, i));
}
int MPI_File_read_at_all(MPI_File f, MPI_Offset o, void* b, int n, MPI_Datatype t, MPI_Status* s) {
    TIMED("File_read_at_all", PMPI_File_read_at_all(f, o, b, n, t, s));
}
int MPI_File_read_at(MPI_File f, MPI_Offset o, void* b, int n, MPI_Datatype t, MPI_Status* s) {
    TIMED("File_read_at", PMPI_File_read_at(f, o, b, n, t, s));
}
int MPI_File_get_size(MPI_File f, MPI_Offset* size) { TIMED("File_get_size", PMPI_File_get_size(f, size)); }
int MPI_Send(const void* b, int n, MPI_Datatype t, int d, int tag, MPI_Comm c) {
    TIMED("Send", PMPI_Send(b, n, t, d, tag, c));
}
int MPI_Recv(void* b, int n, MPI_Datatype t, int s, int tag, MPI_Comm c, MPI_Status* st) {
    TIMED("Recv", PMPI_Recv(b, n, t, s, tag, c, st));
}
int MPI_Wait(MPI_Request* r, MPI_Status* s) { TIMED("Wait", PMPI_Wait(r, s)); }
int MPI_Waitall(int n, MPI_Request* r, MPI_Status* s) { TIMED("Waitall", PMPI_Waitall(n, r, s)); }
int MPI_Test(MPI_Request* r, int* flag, MPI_Status* s) { TIMED("Test", PMPI_Test(r, flag, s)); }
/* Non-blocking collectives: counted where they start (their waits show as Test). */
int MPI_Iallreduce(const void* s, void* r, int n, MPI_Datatype t, MPI_Op o, MPI_Comm c, MPI_Request* q) {
    TIMED("Iallreduce", PMPI_Iallreduce(s, r, n, t, o, c, q));
}
int MPI_Iallgather(const void* s, int sn, MPI_Datatype st, void* r, int rn, MPI_Datatype rt, MPI_Comm c,
                   MPI_Request* q) {
    TIMED("Iallgather", PMPI_Iallgather(s, sn, st, r, rn, rt, c, q));
}
int MPI_Igather(const void* s, int sn, MPI_Datatype st, void* r, int rn, MPI_Datatype rt, int root, MPI_Comm c,
                MPI_Request* q) {
    TIMED("Igather", PMPI_Igather(s, sn, st, r, rn, rt, root, c, q));
}
int MPI_Igatherv(const void* s, int sn, MPI_Datatype st, void* r, const int* rn, const int* d, MPI_Datatype rt,
                 int root, MPI_Comm c, MPI_Request* q) {
    TIMED("Igatherv", PMPI_Igatherv(s, sn, st, r, rn, d, rt, root, c, q));
}
int MPI_Ialltoall(const void* s, int sn, MPI_Datatype st, void* r, int rn, MPI_Datatype rt, MPI_Comm c,
                  MPI_Request* q) {
    TIMED("Ialltoall", PMPI_Ialltoall(s, sn, st, r, rn, rt, c, q));
}
int MPI_Ialltoallv(const void* s, const int* sn, const int* sd, MPI_Datatype st, void* r, const int* rn,
                   const int* rd, MPI_Datatype rt, MPI_Comm c, MPI_Request* q) {
    TIMED("Ialltoallv", PMPI_Ialltoallv(s, sn, sd, st, r, rn, rd, rt, c, q));
}
