/* Missing on the linux target; empty stand-in (tests only). */
#pragma once
