# ccache (Debian's) in front of the compiler when it is installed: a clean clone on the same
# machine (CI runs right after a session, in another folder) reuses the objects of earlier builds.
# CCACHE_BASEDIR makes the paths under the source tree relative, so two clones share entries;
# CCACHE_NOHASHDIR keeps the build folder's absolute path out of the hash (debug info then names
# the folder of the build that filled the cache, which only a debugger would notice).
option(LLMSIM_CCACHE "Compile through ccache when it is installed" ON)
if(LLMSIM_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(LLMSIM_CCACHE_PROGRAM ccache)
  if(LLMSIM_CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} CCACHE_NOHASHDIR=1
      ${LLMSIM_CCACHE_PROGRAM})
  endif()
endif()
