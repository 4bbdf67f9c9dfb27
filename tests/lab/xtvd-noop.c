/* A deliberately broken xtvd for `make check-lab-broken`: it starts and then never
 * touches xenstore, so no request or message is ever acknowledged. */
#include <unistd.h>

int main(void)
{
	for (;;)
		pause();
}
