/* value.h — Snow values: the 16-byte tagged Value, heap object layouts and
 * the runtime type descriptors of user structs and sum types.
 *
 * Invariants:
 *  - Unit, Bool, Int, Float, Pid and Ref never allocate.
 *  - Every other value points at an object whose first field is an Obj
 *    header.  Objects are immutable once published (the only exception is the
 *    append-in-place trick of lists/strings/maps, which writes only into slots
 *    no existing value can observe).
 *  - An object lives in exactly one place: a process heap, a message
 *    fragment (in flight between heaps) or the static (immortal) area.
 */
#ifndef SNOW_VALUE_H
#define SNOW_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum VTag {
    T_UNIT = 0,
    T_BOOL,    /* .i = 0 / 1 */
    T_INT,     /* .i */
    T_FLOAT,   /* .f */
    T_PID,     /* .u = node(16) | creation(8) | serial(40); see pid_* below */
    T_REF,     /* .u = monitor/reference number (>= 1) */
    T_STR,     /* .o -> StrObj */
    T_LIST,    /* .o -> ListObj, or NULL for [] */
    T_TUPLE,   /* .o -> TupleObj */
    T_MAP,     /* .o -> map object (runtime/map.h) */
    T_SET,     /* .o -> set object (runtime/map.h) */
    T_QUEUE,   /* .o -> queue object */
    T_RANGE,   /* .o -> RangeObj */
    T_STRUCT,  /* .o -> StructObj */
    T_VARIANT, /* .o -> VariantObj; .aux = variant index (fast matching) */
    T_FUNC,    /* .o -> FuncObj (closure or builtin) */
    T_JSON,    /* .o -> JsonObj (parsed JSON document) */
    T_HANDLE,  /* .o -> HandleObj (router, db connection, pool, ...) */
    T__COUNT
} VTag;

typedef struct Obj Obj;

typedef struct Value {
    uint32_t tag; /* VTag */
    uint32_t aux; /* T_VARIANT: variant index; otherwise 0 */
    union {
        int64_t i;
        double f;
        uint64_t u;
        Obj *o;
    };
} Value;

/* ---- object header ------------------------------------------------------ */

enum ObjKind {
    OK_STR = 1, OK_STRBUF, OK_LIST, OK_LISTBUF, OK_TUPLE, OK_MAP, OK_MAPTAB,
    OK_SET, OK_QUEUE, OK_RANGE, OK_STRUCT, OK_VARIANT, OK_FUNC, OK_JSON,
    OK_HANDLE, OK_RAW /* no pointers inside (byte buffers) */
};

/* gcbits flags */
#define GC_STATIC 0x80u /* immortal: never marked, never freed, never copied */

struct Obj {
    uint8_t kind;    /* enum ObjKind */
    uint8_t gcbits;  /* GC_STATIC | mark epoch bits (owned by gc.c) */
    uint16_t xflags; /* per-kind flags */
    uint32_t size;   /* total bytes of the allocation, header included */
};

/* ---- fixed layouts the evaluator touches directly ----------------------- */

typedef struct TypeDesc TypeDesc;
typedef struct FuncInfo FuncInfo;

typedef struct TupleObj {
    Obj h;
    uint32_t n;
    uint32_t pad_;
    Value items[];
} TupleObj;

typedef struct StructObj {
    Obj h;
    const TypeDesc *type;
    Value fields[]; /* type->nfields, declaration order */
} StructObj;

typedef struct VariantObj {
    Obj h;
    const TypeDesc *type;
    uint32_t idx; /* variant index in declaration order */
    uint32_t n;   /* number of payload fields */
    Value fields[];
} VariantObj;

typedef struct RangeObj {
    Obj h;
    int64_t start, end; /* half-open [start, end) */
} RangeObj;

/* A function value.  `fn` is static code (interpreted or builtin); `caps`
 * are the captured values of a closure (empty for plain functions). */
typedef struct FuncObj {
    Obj h;
    const FuncInfo *fn;
    uint32_t ncap;
    uint32_t pad_;
    Value caps[];
} FuncObj;

typedef Value (*BuiltinFn)(Value *args, int nargs);

/* Static description of a function.  Interpreted functions carry their
 * prepared code in `code` (owned by interp/); builtins carry `cfn`. */
struct FuncInfo {
    const char *name; /* for stack traces and printing */
    int arity;
    BuiltinFn cfn;    /* non-NULL for a builtin */
    void *code;       /* interp-private prepared code */
};

/* A runtime resource (router, socket, database connection, pool, ...),
 * T_HANDLE (runtime/handle.h).  The resource itself is owned by the module
 * that created it and is not garbage-collected (concurrency.md §15.3); only
 * this small wrapper object lives in a heap.  `cls->trace`, when non-NULL,
 * is called by the collector and must gc_mark_value() every Snow value the
 * handle keeps alive (e.g. a router's handler closures).  `cls->close`,
 * when non-NULL, makes it a resource owned by a process (decision 30):
 * called exactly once, when it is closed or its owner exits.  Message
 * copies duplicate the wrapper and share the resource. */
struct Heap;
struct HandleObj;
typedef struct HandleClass {
    const char *name; /* printed as #Handle<name> */
    void (*trace)(struct Heap *h, struct HandleObj *o);
    void (*close)(void *data); /* owned resources: release it (must not park) */
} HandleClass;

typedef struct HandleObj {
    Obj h;
    const HandleClass *cls;
    void *data;   /* plain handles; NULL for owned ones (reach it via handle_pin) */
    uint64_t rid; /* owned: resource slot and generation (handle.c); 0: plain */
} HandleObj;

#define AS_HANDLE(v) ((HandleObj *)(v).o)

/* ---- runtime type descriptors ------------------------------------------- */

enum { TD_STRUCT = 1, TD_SUM = 2 };

/* derive bits */
enum {
    D_EQ = 1 << 0, D_ORD = 1 << 1, D_DISPLAY = 1 << 2, D_DEBUG = 1 << 3,
    D_HASH = 1 << 4, D_JSON = 1 << 5, D_ROW = 1 << 6
};

/* A runtime type shape used by JSON decoding, Row decoding and defaults:
 * a tree mirroring a Snow type with all type variables substituted. */
typedef enum RtKind {
    RK_INT, RK_FLOAT, RK_BOOL, RK_STRING, RK_UNIT, RK_LIST, RK_MAP, RK_SET,
    RK_OPTION, RK_RESULT, RK_TUPLE, RK_USER /* struct or sum, args below */,
    RK_JSON, RK_PARAM /* type parameter number `param` of the enclosing type */,
    RK_OTHER /* not decodable (functions, pids, ...) */
} RtKind;

typedef struct RtType {
    RtKind kind;
    const TypeDesc *user; /* RK_USER */
    int param;            /* RK_PARAM */
    int nargs;
    const struct RtType **args; /* element / key,value / type arguments */
} RtType;

typedef struct VariantDesc {
    const char *name;
    uint32_t nfields;
    const RtType **field_types; /* declared payload types; may contain RK_PARAM */
    VariantObj *singleton;      /* static value for a nullary variant */
} VariantDesc;

struct TypeDesc {
    const char *name;       /* base name as printed: "Point", "Option" */
    const char *qual_name;  /* module-qualified name for diagnostics */
    int kind;               /* TD_STRUCT / TD_SUM */
    uint32_t nparams;       /* generic parameters */
    uint32_t nfields;       /* struct */
    const char **field_names;
    const RtType **field_types;
    uint32_t nvariants;     /* sum */
    VariantDesc *variants;
    uint32_t derives;       /* D_* bits actually available (explicit or default) */
    /* User implementations found by the type checker (T_UNIT when absent).
     * `to_string` is any interface method named to_string (Display rule). */
    Value to_string_fn, eq_fn, lt_fn, hash_fn, compare_fn;
};

/* Built-in sum types (declaration order = variant index). */
extern TypeDesc td_option;      /* Some(T)=0, None=1 */
extern TypeDesc td_result;      /* Ok(T)=0, Err(E)=1 */
extern TypeDesc td_ordering;    /* Less=0, Equal=1, Greater=2 */
extern TypeDesc td_exit_reason; /* Normal, Shutdown, Killed, Error(String), Linked(Pid, ExitReason), NoProc, NoConnection */
extern TypeDesc td_signal;      /* Down(Ref, Pid, ExitReason), Exit(Pid, ExitReason), NodeUp(String), NodeDown(String) */

enum { OPT_SOME = 0, OPT_NONE = 1 };
enum { RES_OK = 0, RES_ERR = 1 };
enum { ORD_LESS = 0, ORD_EQUAL = 1, ORD_GREATER = 2 };
enum { XR_NORMAL = 0, XR_SHUTDOWN, XR_KILLED, XR_ERROR, XR_LINKED, XR_NOPROC, XR_NOCONNECTION };
enum { SIG_DOWN = 0, SIG_EXIT, SIG_NODEUP, SIG_NODEDOWN };

/* ---- immediates ----------------------------------------------------------- */

static inline Value v_unit(void) { Value v = {.tag = T_UNIT}; v.i = 0; return v; }
static inline Value v_bool(bool b) { Value v = {.tag = T_BOOL}; v.i = b; return v; }
static inline Value v_int(int64_t i) { Value v = {.tag = T_INT}; v.i = i; return v; }
static inline Value v_float(double f) { Value v = {.tag = T_FLOAT}; v.f = f; return v; }
static inline Value v_pid(uint64_t p) { Value v = {.tag = T_PID}; v.u = p; return v; }
static inline Value v_ref(uint64_t r) { Value v = {.tag = T_REF}; v.u = r; return v; }
static inline Value v_obj(VTag t, void *o) { Value v = {.tag = t}; v.o = (Obj *)o; return v; }
static inline Value v_variant(VariantObj *o) { Value v = {.tag = T_VARIANT, .aux = o->idx}; v.o = &o->h; return v; }

static inline uint64_t pid_make(uint32_t node, uint32_t creation, uint64_t serial) {
    return ((uint64_t)(node & 0xffff) << 48) | ((uint64_t)(creation & 0xff) << 40) | (serial & 0xffffffffffULL);
}
static inline uint32_t pid_node(uint64_t p) { return (uint32_t)(p >> 48); }
static inline uint32_t pid_creation(uint64_t p) { return (uint32_t)((p >> 40) & 0xff); }
static inline uint64_t pid_serial(uint64_t p) { return p & 0xffffffffffULL; }

#define AS_TUPLE(v) ((TupleObj *)(v).o)
#define AS_STRUCT(v) ((StructObj *)(v).o)
#define AS_VARIANT(v) ((VariantObj *)(v).o)
#define AS_FUNC(v) ((FuncObj *)(v).o)
#define AS_RANGE(v) ((RangeObj *)(v).o)

#endif
